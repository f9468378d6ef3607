package io.procsys.cli;

import io.procsys.daemon.DaemonOutput;
import io.procsys.daemon.MetricsEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountControl;
import io.procsys.daemon.PastMount;
import io.procsys.daemon.intercept.InterceptEndpoint;
import io.procsys.daemon.StatusEndpoint;
import io.procsys.daemon.StopSignals;
import io.procsys.daemon.UserError;
import io.procsys.metrics.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(mixinStandardHelpOptions = true, name = "mount", sortOptions = false,
        description = {
                "Mount a proc tree (the real /proc by default) read-only on MOUNTPOINT.",
                "Returns once the mount is ready; the daemon keeps serving in the background until "
                        + "'procsys umount MOUNTPOINT', SIGINT or SIGTERM. With --foreground it serves in this process."},
        footer = {"", "Examples:",
                "  procsys mount /mnt/proc                      mirror this host's /proc",
                "  procsys mount --proc-root ./snapshot /mnt/p  serve a captured proc tree",
                "  procsys mount -o allow_other /mnt/proc       let other users read it"})
final class MountCommand implements Callable<Integer> {
    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
            description = "Proc tree to serve: /proc or a captured copy (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "-o", paramLabel = "OPT[,OPT...]", split = ",",
            description = "Extra FUSE mount options, e.g. allow_other, default_permissions.")
    List<String> options = new ArrayList<>();

    @Option(names = {"-f", "--foreground"}, description = "Serve in this process instead of a background daemon.")
    boolean foreground;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "" + MountService.DEFAULT_THREADS,
            description = "Most FUSE worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Where the background daemon writes its log (default: /tmp/procsys-logs/<mountpoint>.log).")
    Path log;

    @Mixin
    ClusterOptions clusterOptions;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    PastOptions pastOptions;

    @Mixin
    UserLimitOptions userLimits;

    @Option(names = "--daemon", hidden = true,
            description = "Set by the ./procsys launcher, which runs the daemon detached: once mounted, "
                    + "write 'READY <message>' on stdout, close it, and log to the log file from then on.")
    boolean daemon;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Existing empty directory to mount on.")
    Path mountpoint;

    static final String READY = "READY";

    @Override
    public Integer call() throws IOException {
        if (threads < 1 || threads > 256) throw new UserError("--threads must be between 1 and 256", 2);
        if (!foreground && !daemon) {
            throw new UserError("a background mount is started by the ./procsys launcher; run this class with --foreground instead");
        }
        // a stop signal unmounts, which ends the loop below; then this thread cleans up and exits 0
        AtomicReference<MountService> mounted = new AtomicReference<>();
        StopSignals stop = StopSignals.install(() -> {
            MountService serving = mounted.get();
            if (serving != null) new Thread(serving::close, "procsys-stop").start();
        });
        if (pastOptions.wanted()) return servePast(stop, mounted);
        var cluster = clusterOptions.cluster();
        MetricsOptions.Mounted mounting = metricsOptions.mount(procRoot, mountpoint, options, cluster, clusterOptions.configuredMetricsListen(),
                userLimits.limits());
        Metrics metrics = mounting.metrics();
        MountService service = mounting.service();
        StatusEndpoint status = StatusEndpoint.start(service.mountpoint(), procRoot, service.cluster());
        ControlEndpoint control = null;
        try {
            control = ControlEndpoint.start(service.mountpoint(), service.cluster(), options.contains("allow_other"), userLimits.control());
        } catch (java.io.IOException e) {
            System.err.println("procsys: no control socket (procsys kill, which): " + e.getMessage());
        }
        return serve(stop, mounted, service, metrics, status, control, procRoot.toString());
    }

    /** A view of the past (--at): its hosts' recordings, mounted; status names the time shown and each host's state. */
    private int servePast(StopSignals stop, AtomicReference<MountService> mounted) throws IOException {
        long at = pastOptions.atMillis();
        var hosts = pastOptions.hosts(clusterOptions);
        String node = clusterOptions.name != null ? clusterOptions.name : Hosts.localName();
        Metrics metrics = metricsOptions.start(null);
        PastMount past;
        try {
            past = PastMount.start(mountpoint, options, at, hosts, hosts.stream().anyMatch(h -> h.agent() != null) ? clusterOptions.tls.client(node) : null,
                    node, metrics, userLimits.limits());
        } catch (UserError e) {
            metrics.close();
            throw e;
        }
        MountService service = past.service();
        StatusEndpoint status = StatusEndpoint.startPast(service.mountpoint(), past.view()::status);
        return serve(stop, mounted, service, metrics, status, null, "the past at " + io.procsys.fs.history.Times.format(at));
    }

    /** Serves {@code service} until it is unmounted or stopped, then closes what goes with it. */
    private int serve(StopSignals stop, AtomicReference<MountService> mounted, MountService service, Metrics metrics, StatusEndpoint status,
                      ControlEndpoint control, String what) throws IOException {
        if (service.cluster() != null) {
            try {
                service.closeFirst(InterceptEndpoint.start(service.mountpoint(), MountControl.inProcess(service.cluster()), service.cluster().scoped()));
            } catch (java.io.IOException e) {
                System.err.println("procsys: procsys exec starts a JVM per command to intercept its calls: " + e.getMessage());
            }
        }
        if (service.cluster() != null) MetricsEndpoint.exportExpiry(metrics, service.cluster().credentials());
        service.serveInBackground(threads);
        mounted.set(service);
        if (stop.received() != null) service.close(); // it came while mounting
        if (daemon) {
            Path logFile = log != null ? log : defaultLog(service.mountpoint());
            DaemonOutput.detach(logFile, READY + " mounted " + what + " on " + service.mountpoint()
                    + " (daemon pid " + ProcessHandle.current().pid() + ", log " + logFile
                    + MetricsEndpoint.describe(metrics) + "); stop it with: procsys umount " + service.mountpoint());
        } else {
            System.err.println("procsys: serving " + what + " on " + service.mountpoint() + " (Ctrl-C to stop"
                    + MetricsEndpoint.describe(metrics) + ")");
        }
        try {
            service.session().awaitLoopEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.close();
        status.close();
        if (control != null) control.close();
        metrics.close();
        return 0;
    }

    static Path defaultLog(Path target) {
        String name = target.toString().replace('/', '_');
        return Path.of(System.getProperty("java.io.tmpdir"), "procsys-logs", "mount" + name + ".log");
    }
}
