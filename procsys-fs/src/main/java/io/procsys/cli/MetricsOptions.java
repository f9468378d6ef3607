package io.procsys.cli;

import io.procsys.daemon.MetricsEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.daemon.UserError;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.cluster.Cluster;
import io.procsys.metrics.Metrics;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** --metrics-listen, shared by mount, node and agent. */
final class MetricsOptions {
    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (README \"Metrics\"; default: none, no HTTP server).")
    String listen;

    /** Serving at --metrics-listen, else at {@code fallback} (the config file's; null: none), else {@link Metrics#OFF}. */
    Metrics start(String fallback) {
        String at = listen != null ? listen : fallback;
        if (at == null) return Metrics.OFF;
        return MetricsEndpoint.start(Hosts.parseAddress(at, "--metrics-listen"), at);
    }

    /** A mount and the metrics it counts into. */
    record Mounted(MountService service, Metrics metrics) {}

    /**
     * Starts the metrics (as {@link #start}), then mounts with them; what started first is
     * closed when the next fails ({@code cluster}, which the mount would own, included).
     */
    Mounted mount(Path procRoot, Path mountpoint, List<String> options, Cluster cluster, String fallback, UserLimits limits) {
        Metrics metrics;
        try {
            metrics = start(fallback);
        } catch (UserError e) {
            if (cluster != null) cluster.close();
            throw e;
        }
        try {
            return new Mounted(MountService.mount(procRoot, mountpoint, options, cluster, metrics, limits), metrics);
        } catch (UserError e) {
            metrics.close();
            throw e;
        }
    }
}
