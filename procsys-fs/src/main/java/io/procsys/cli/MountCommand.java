package io.procsys.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(mixinStandardHelpOptions = true, name = "mount", sortOptions = false,
        description = {
                "Mount a proc tree (the real /proc by default) read-only on MOUNTPOINT.",
                "Returns once the mount is ready; the daemon keeps serving in the background until",
                "'procsys umount MOUNTPOINT', SIGINT or SIGTERM. With --foreground it serves in this process."},
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

    @Option(names = "--threads", paramLabel = "N", defaultValue = "" + MirrorService.DEFAULT_THREADS,
            description = "Most FUSE worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Where the background daemon writes its log (default: /tmp/procsys-logs/<mountpoint>.log).")
    Path log;

    @Option(names = "--notify-ready", hidden = true, description = "Print READY on stdout once mounted (used by the background launcher).")
    boolean notifyReady;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Existing empty directory to mount on.")
    Path mountpoint;

    static final String READY = "READY";

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || threads > 256) throw new UserError("--threads must be between 1 and 256", 2);
        return foreground ? serveHere() : startDaemon();
    }

    private int serveHere() {
        MirrorService service = MirrorService.mount(procRoot, mountpoint, options);
        Thread hook = new Thread(service::close, "procsys-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        service.serveInBackground(threads);
        if (notifyReady) {
            System.out.println(READY);
            System.out.flush();
            System.out.close();
        } else {
            System.err.println("procsys: serving " + procRoot + " on " + service.mountpoint() + " (Ctrl-C to stop)");
        }
        try {
            service.session().awaitLoopEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.close();
        return 0;
    }

    /** Starts this same command with --foreground in a new session, and waits until it is mounted. */
    private int startDaemon() throws IOException, InterruptedException {
        Path target = mountpoint.toAbsolutePath().normalize();
        MirrorService.checkMountpoint(target); // fail fast, with the same message the daemon would give
        Path logFile = log != null ? log : defaultLog(target);
        Files.createDirectories(logFile.toAbsolutePath().getParent());

        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of("mount", "--foreground", "--notify-ready", "--threads", Integer.toString(threads),
                "--proc-root", procRoot.toAbsolutePath().toString()));
        if (!options.isEmpty()) command.addAll(List.of("-o", String.join(",", options)));
        command.add(target.toString());

        Process daemon = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.to(logFile.toFile()))
                .start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        if (READY.equals(line)) {
            System.err.println("procsys: mounted " + procRoot + " on " + target + " (daemon pid " + daemon.pid()
                    + ", log " + logFile + "); stop it with: procsys umount " + target);
            return 0;
        }
        daemon.waitFor(5, TimeUnit.SECONDS);
        String reason = Files.readString(logFile).lines()
                .filter(l -> l.startsWith("procsys: ") || l.startsWith("fuse:") || l.startsWith("fusermount"))
                .reduce((a, b) -> b).orElse("the daemon ended before the mount was ready; see " + logFile);
        System.err.println(reason.startsWith("procsys: ") ? reason : "procsys: " + reason);
        return daemon.isAlive() ? 1 : Math.max(1, daemon.exitValue());
    }

    static Path defaultLog(Path target) {
        String name = target.toString().replace('/', '_');
        return Path.of(System.getProperty("java.io.tmpdir"), "procsys-logs", "mount" + name + ".log");
    }
}
