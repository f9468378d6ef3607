package io.procsys.cli;

import io.procsys.daemon.MetricsEndpoint;
import io.procsys.metrics.Metrics;
import picocli.CommandLine.Option;

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
}
