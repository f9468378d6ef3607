package io.procsys.cli;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.daemon.Mounts;
import io.procsys.daemon.StandInNetwork;
import io.procsys.daemon.UserError;
import io.procsys.daemon.Users;
import io.procsys.fs.cluster.SysViews;
import io.procsys.fs.combine.Aggregators;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(mixinStandardHelpOptions = true, name = "exec", sortOptions = false,
        description = {
                "Run CMD with a procsys mount in place of /proc.",
                "CMD runs in a private mount namespace where the mirror is bind-mounted over /proc, so ps, "
                        + "top, free, netstat and the rest read procsys without knowing it. Exits with CMD's status. "
                        + "Needs root. On a mount that already runs (--mount), the launcher does this itself, with no JVM, "
                        + "when nothing is intercepted (a mirror, or a cluster view with --no-intercept): CMD then starts in "
                        + "milliseconds.",
                "",
                "On a cluster view CMD also runs in the mount's network namespace, which holds one stand-in link per "
                        + "interface of the combined net/dev (kept in step as hosts join and leave): ifconfig asks the kernel "
                        + "(ioctl) for each name it reads there, and would otherwise fail on every remote interface. Counters "
                        + "come from net/dev; flags, MTU and addresses of a stand-in are not the remote host's. --host-network "
                        + "keeps this host's.",
                "",
                "On a cluster view (also with --files-only) /sys/devices/system/cpu and /sys/block are replaced "
                        + "too, by the mount's live views of them, made at each read from the combined cpuinfo, stat and "
                        + "diskstats: sysconf, lscpu, htop, psutil, mpstat and iostat then count the cluster's CPUs and disks, "
                        + "and see remote disk counters move. The rest of /sys is this host's.",
                "",
                "On a cluster view the system calls that name a remote cluster pid (kill, tgkill, getpriority, "
                        + "setpriority, sched_getaffinity, ioprio_get, ...) and sysinfo are intercepted (seccomp user "
                        + "notification) and answered for the cluster: kill -0, psutil's nice() and cpu_affinity(), busybox "
                        + "free and uptime and sysconf(_SC_PHYS_PAGES) then work as on one host. Other calls never leave "
                        + "the kernel. --no-intercept turns this off."},
        footer = {"", "Examples:",
                "  procsys exec -- ps aux                    through a private mirror made for the call",
                "  procsys exec --mount /mnt/proc -- free -h through a mirror already mounted",
                "  procsys exec --peer b=10.0.0.2:7070 -- free -h     memory of this host and b, summed",
                "  procsys exec --files-only --peer b=10.0.0.2:7070 -- top    cluster totals, this host's processes"})
final class ExecCommand implements Callable<Integer> {
    /** Runs inside the new namespace: $1 is the mirror, the rest is the command. */
    static final String BIND_AND_EXEC = "mount --bind \"$1\" /proc || exit 125; shift; exec \"$@\"";

    @Option(names = "--mount", paramLabel = "MOUNTPOINT",
            description = "Use this existing procsys mount instead of mounting a private one.")
    Path mount;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc",
            description = "Proc tree for the private mirror (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "-o", paramLabel = "OPT[,OPT...]", split = ",", description = "Extra FUSE options for the private mirror.")
    List<String> options = new ArrayList<>();

    @Mixin
    ClusterOptions clusterOptions;

    @Mixin
    PastOptions pastOptions;

    @Option(names = "--files-only",
            description = "Bind only the combined top-level files (meminfo, cpuinfo, stat, uptime, loadavg, vmstat, swaps, "
                    + "diskstats) over the real /proc, as LXCFS does: processes and everything else stay this host's.")
    boolean filesOnly;

    /** What --files-only binds: the combined files at the top of /proc (net/ is per process there, so it cannot be). */
    static final String BIND_FILES_AND_EXEC =
            "m=$1; shift; for f in " + String.join(" ", Aggregators.topLevelPaths()) + "; do mount --bind \"$m/$f\" \"/proc/$f\" || exit 125; done; exec \"$@\"";

    @Option(names = "--host-network",
            description = "On a cluster view, run CMD in this host's network namespace instead of one with stand-in "
                    + "links (ifconfig then fails on remote interfaces).")
    boolean hostNetwork;

    /**
     * Runs first on a cluster view, $1 being the mount: this host's real directories that the
     * views replace are bound on a tmpfs of this private namespace where the views' links lead
     * (never on the FUSE mount, whose dentries the kernel may drop), then each view of the mount's
     * {@code .sys} over its directory.
     */
    static final String BIND_SYS_VIEWS = "h=" + SysViews.HOST_DIRECTORIES + "; mkdir -p \"$h\" && mount -t tmpfs -o mode=0755,size=16k procsys \"$h\" || exit 125; "
            + SysViews.REPLACED.entrySet().stream().map(v -> "mkdir \"$h/" + v.getKey() + "\" && mount --bind " + v.getValue() + " \"$h/" + v.getKey()
                    + "\" && mount --bind \"$1/" + SysViews.DIRECTORY + "/" + v.getKey() + "\" " + v.getValue() + " || exit 125; ").collect(Collectors.joining());

    @Option(names = "--no-intercept",
            description = "On a cluster view, do not intercept the system calls that name a remote pid, nor sysinfo.")
    boolean noIntercept;

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "Command and arguments (put them after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Users.isRoot()) {
            throw new UserError("procsys exec needs root: it makes a private mount namespace (try: sudo procsys exec ...)");
        }
        if (mount != null) {
            Path target = mount.toAbsolutePath().normalize();
            if (!Mounts.isProcsysMount(target)) throw new UserError(target + " is not a procsys mount");
            return run(target, null);
        }
        if (pastOptions.wanted()) return runInThePast();
        Path privateMount = Files.createTempDirectory("procsys-exec-");
        try (MountService service = MountService.mount(procRoot, privateMount, options, clusterOptions.cluster())) {
            service.serveInBackground(MountService.DEFAULT_THREADS);
            // a cluster made for this command forwards its intercepted calls as a mount's control socket does
            try (ControlEndpoint control = service.cluster() == null ? null : ControlEndpoint.start(service.mountpoint(), service.cluster(), false)) {
                return run(privateMount, service.cluster() != null && service.cluster().scoped());
            }
        } finally {
            Files.deleteIfExists(privateMount);
        }
    }

    /** CMD over a private view of the past (--at), mounted for the call. */
    private int runInThePast() throws IOException, InterruptedException {
        var hosts = pastOptions.hosts(clusterOptions);
        String node = clusterOptions.name != null ? clusterOptions.name : Hosts.localName();
        Path privateMount = Files.createTempDirectory("procsys-exec-");
        try (io.procsys.daemon.PastMount past = io.procsys.daemon.PastMount.start(privateMount, options, pastOptions.atMillis(), hosts,
                hosts.stream().anyMatch(h -> h.agent() != null) ? clusterOptions.tls.client(node) : null, node, io.procsys.metrics.Metrics.OFF,
                new io.procsys.fs.access.UserLimits(io.procsys.fs.access.UserLimits.Limits.DEFAULT))) {
            past.service().serveInBackground(MountService.DEFAULT_THREADS);
            return run(privateMount, false);
        } finally {
            Files.deleteIfExists(privateMount);
        }
    }

    /**
     * Tells the user what time the tools show: their header clocks (top, uptime) say now, and a
     * view of the past cannot change that (time namespaces move only the monotonic clocks).
     */
    static void tellTheTime(Path view) throws IOException {
        String[] shown = Files.readString(view.resolve(io.procsys.fs.history.PastFs.CLOCK_FILE)).strip().split(" ");
        System.err.println("procsys: " + view + " shows the cluster as at " + shown[1] + " " + shown[2] + " (" + shown[3]
                + "); the tools' own clocks say now");
    }

    /** Runs the command over {@code mirror}; {@code scoped}: whether it is the view of one scope (null: as its status says). */
    private int run(Path mirror, Boolean scoped) throws IOException, InterruptedException {
        if (Files.exists(mirror.resolve(io.procsys.fs.history.PastFs.CLOCK_FILE))) { // a view of the past: no network, /sys or calls of its own
            tellTheTime(mirror);
            List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", BIND_AND_EXEC,
                    "procsys-exec", mirror.toString()));
            argv.addAll(command);
            return ExecProcess.startAndWait(argv, mirror, false);
        }
        boolean cluster = Files.isDirectory(mirror.resolve("hosts"));
        boolean sysViews = cluster && Files.isDirectory(mirror.resolve(SysViews.DIRECTORY));
        List<String> argv = new ArrayList<>();
        if (cluster && !filesOnly && !hostNetwork) argv.addAll(enterStandInNetwork(mirror));
        String script = (sysViews ? BIND_SYS_VIEWS : "") + (filesOnly ? BIND_FILES_AND_EXEC : BIND_AND_EXEC);
        argv.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "procsys-exec", mirror.toString()));
        argv.addAll(command);
        boolean intercept = cluster && !noIntercept;
        return scoped == null ? ExecProcess.startAndWait(argv, mirror, intercept) : ExecProcess.startAndWait(argv, mirror, intercept, intercept && scoped);
    }

    /** The prefix that runs the command in the mount's stand-in network, or none (said once) where the mount has none. */
    private static List<String> enterStandInNetwork(Path mount) {
        Path pin = StandInNetwork.pinOf(mount);
        if (Mounts.isMountPoint(pin)) return List.of("nsenter", "--net=" + pin);
        System.err.println("procsys: " + mount + " has no stand-in network (a daemon not run as root, or an older one): "
                + "CMD runs in this host's network, where ifconfig fails on remote interfaces");
        return List.of();
    }
}
