package io.procsys.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ./procsys launcher as a user runs it: daemon life cycle, signals, and one-line errors. */
class CliIT {
    Path mountpoint;

    @BeforeEach
    void createMountpoint() throws IOException {
        mountpoint = Files.createTempDirectory("procsys-cli-");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (mounted(mountpoint)) Commands.run("fusermount3", "-u", "-z", mountpoint.toString());
        Files.deleteIfExists(mountpoint);
    }

    static boolean mounted(Path mountpoint) throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountpoint + " ");
    }

    static boolean waitUntil(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /**
     * A user error: exit 1 or 2, a last stderr line starting "procsys: " (libfuse may say one line
     * of its own before it), no stack trace.
     */
    static void assertUserError(Commands.Result r, String expected) {
        assertTrue(r.exit() == 1 || r.exit() == 2, "exit " + r.exit() + ": " + r.all());
        List<String> lines = r.err().lines().toList();
        assertTrue(!lines.isEmpty() && lines.size() <= 3 && lines.getLast().startsWith("procsys: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(r.all().contains("Exception") || r.all().contains("\tat "), "no stack trace: " + r.all());
    }

    long startDaemon(String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("mount"));
        args.addAll(List.of(extra));
        args.add(mountpoint.toString());
        Commands.Result r = Commands.procsys(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertTrue(mounted(mountpoint), "mounted when mount returns");
        Matcher m = Pattern.compile("daemon pid (\\d+)").matcher(r.err());
        assertTrue(m.find(), r.err());
        return Long.parseLong(m.group(1));
    }

    @Test
    void helpExplainsEveryCommand() {
        Commands.Result top = Commands.procsys("--help");
        assertEquals(0, top.exit());
        for (String command : List.of("mount", "umount", "exec")) assertTrue(top.out().contains(command), top.out());
        for (String command : List.of("mount", "umount", "exec")) {
            Commands.Result r = Commands.procsys(command, "--help");
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("Usage: procsys " + command), r.out());
        }
        Commands.Result version = Commands.procsys("--version");
        assertEquals(0, version.exit(), version.all());
        assertTrue(version.out().lines().findFirst().orElse("").matches("procsys [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?"),
                "the release, from the jar's manifest: " + version.out());
        assertUserError(Commands.procsys("frobnicate"), "Unmatched argument");
        assertUserError(Commands.procsys(), "a command is required");
    }

    @Test
    void backgroundMountServesAndUmountStopsTheDaemon() throws Exception {
        long pid = startDaemon();
        assertTrue(Files.readString(mountpoint.resolve("meminfo")).startsWith("MemTotal:"));
        Commands.Result r = Commands.procsys("umount", mountpoint.toString());
        assertEquals(0, r.exit(), r.all());
        assertFalse(mounted(mountpoint));
        assertTrue(waitUntil(() -> ProcessHandle.of(pid).isEmpty(), 5_000), "daemon exited");
    }

    @Test
    void sigtermUnmountsCleanly() throws Exception {
        long pid = startDaemon();
        ProcessHandle.of(pid).orElseThrow().destroy();
        assertTrue(waitUntil(() -> ProcessHandle.of(pid).isEmpty(), 5_000), "daemon exited");
        assertFalse(mounted(mountpoint), "mount removed");
    }

    @Test
    void sigkillLeavesNoStaleMountAndTheMountPointCanBeReused() throws Exception {
        long pid = startDaemon();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertTrue(waitUntil(() -> {
            try {
                return !mounted(mountpoint);
            } catch (IOException e) {
                return false;
            }
        }, 1_000), "auto_unmount removed the mount within a second");
        long again = startDaemon();
        String uptime = Files.readString(mountpoint.resolve("uptime"));
        assertTrue(uptime.matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"), "a whole uptime line: " + uptime);
        ProcessHandle.of(again).orElseThrow().destroy();
        assertTrue(waitUntil(() -> ProcessHandle.of(again).isEmpty(), 5_000));
    }

    @Test
    void daemonKilledUnderLoadReleasesEveryReaderAndExecChild() throws Exception {
        long pid = startDaemon();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> readers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        Files.readAllBytes(mountpoint.resolve("meminfo"));
                        reads.incrementAndGet();
                    } catch (IOException expectedOnceKilled) {
                        // ENOTCONN while the mount goes, ENOENT once it is gone
                    }
                }
            }));
        }
        // under load before the kill (exec on a mirror starts in milliseconds: it no longer gives the readers time)
        assertTrue(waitUntil(() -> reads.get() > 10, 10_000), "readers are reading: " + reads.get());
        Process child = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", mountpoint.toString(), "--",
                "sh", "-c", "echo inside; sleep 1.5; cat /proc/meminfo > /dev/null").redirectErrorStream(true).start();
        var childOutput = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
        assertEquals("inside", childOutput.readLine(), "the child runs on the mirror");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long killedAt = System.nanoTime();
        assertTrue(waitUntil(() -> {
            try {
                return !mounted(mountpoint);
            } catch (IOException e) {
                return false;
            }
        }, 1_000), "mount gone within a second of SIGKILL");
        stop.set(true);
        for (Thread t : readers) {
            t.join(2_000);
            assertFalse(t.isAlive(), "a reader hung");
        }
        assertTrue(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "exec child ended");
        String output = childOutput.lines().collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(child.exitValue() != 0 && output.contains("Transport endpoint is not connected"), "a clean error: " + output);
        assertTrue((System.nanoTime() - killedAt) / 1_000_000 < 10_000);
        long again = startDaemon();
        assertTrue(Files.readString(mountpoint.resolve("meminfo")).startsWith("MemTotal:"), "a new daemon mounts on the same point");
        ProcessHandle.of(again).orElseThrow().destroy();
        assertTrue(waitUntil(() -> ProcessHandle.of(again).isEmpty(), 5_000));
    }

    /**
     * exec on a mirror is the launcher's own (no JVM): CMD then is the very process the user
     * started, exec'd in place, so `$$` inside is the launcher's pid; it still runs on the mirror,
     * passes its exit status on, and a relative --mount= path takes the same road.
     */
    @Test
    void execOnAMirrorStartsNoJvm() throws Exception {
        long daemon = startDaemon();
        try {
            Process p = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", mountpoint.toString(), "--",
                    "sh", "-c", "echo $$; grep ' /proc ' /proc/self/mountinfo; exit 7").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            assertEquals(7, p.waitFor(), String.join("\n", lines));
            assertEquals(Long.toString(p.pid()), lines.getFirst(), "CMD is the launcher's process, no JVM between: " + lines);
            assertTrue(lines.stream().anyMatch(l -> l.contains(" - fuse.procsys ")), "/proc is the mirror: " + lines);
            Process relative = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount=" + mountpoint.getFileName(), "--", "sh", "-c", "echo $$")
                    .directory(mountpoint.getParent().toFile()).redirectErrorStream(true).start();
            assertEquals(Long.toString(relative.pid()), new String(relative.getInputStream().readAllBytes()).strip());
            assertEquals(0, relative.waitFor());
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroy);
            waitUntil(() -> ProcessHandle.of(daemon).isEmpty(), 5_000);
        }
    }

    @Test
    void statusPrintsTheDaemonsTextWithoutLoadingJackson() throws Exception {
        long daemon = startDaemon();
        Path classes = Files.createTempFile("procsys-status-classes", ".txt");
        try {
            Commands.Result text = Commands.run(List.of("env", "PROCSYS_JAVA_OPTS=-Xlog:class+load:file=" + classes,
                    Commands.launcher().toString(), "status", mountpoint.toString()), 60);
            assertEquals(0, text.exit(), text.all());
            assertEquals("mount " + mountpoint + " serving /proc, 0 peer(s)\n", text.out());
            List<String> loaded = Files.readAllLines(classes);
            System.out.println("CliIT: procsys status loaded " + loaded.size() + " classes");
            assertTrue(loaded.stream().anyMatch(l -> l.contains("io.procsys.daemon.MountStatus")), "the log lists the classes status loads");
            assertEquals(List.of(), loaded.stream().filter(l -> l.contains("com.fasterxml.jackson.databind")).limit(5).toList(),
                    "no Jackson databind class for the text status");
            Commands.Result json = Commands.procsys("status", "--json", mountpoint.toString());
            assertEquals(0, json.exit(), json.all());
            assertTrue(json.out().startsWith("{") && json.out().endsWith("}\n") && json.out().contains("\"procRoot\" : \"/proc\""), json.out());
            assertUserError(Commands.procsys("status", mountpoint.getParent().toString()), "is not a procsys mount");
            Commands.Result help = Commands.procsys("status", "--help");
            assertEquals(0, help.exit(), help.all());
            assertTrue(help.out().contains("Usage: procsys status"), help.out());
        } finally {
            Files.deleteIfExists(classes);
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroy);
            waitUntil(() -> ProcessHandle.of(daemon).isEmpty(), 5_000);
        }
    }

    @Test
    void mistakesGetOneLineErrors() throws Exception {
        assertUserError(Commands.procsys("mount", "/no/such/dir"), "does not exist");
        Path file = Files.createTempFile("procsys-cli", ".txt");
        try {
            assertUserError(Commands.procsys("mount", file.toString()), "not a directory");
        } finally {
            Files.delete(file);
        }
        assertUserError(Commands.procsys("mount", "--proc-root", "/no/such/proc", mountpoint.toString()), "cannot open proc root");
        assertUserError(Commands.procsys("mount", "--threads", "0", mountpoint.toString()), "--threads");
        assertUserError(Commands.procsys("mount", "-o", "no_such_option", "--foreground", mountpoint.toString()), "refused the mount options");
        assertUserError(Commands.procsys("umount", mountpoint.toString()), "is not a procsys mount");
        assertUserError(Commands.procsys("exec", "--mount", mountpoint.toString(), "--", "true"), "is not a procsys mount");
        assertFalse(mounted(mountpoint));
    }

    @Test
    void busyMountPointIsRefused() throws Exception {
        long pid = startDaemon();
        try {
            assertUserError(Commands.procsys("mount", mountpoint.toString()), "is busy");
        } finally {
            ProcessHandle.of(pid).orElseThrow().destroy();
            assertTrue(waitUntil(() -> ProcessHandle.of(pid).isEmpty(), 5_000));
        }
    }

    @Test
    void missingDevFuseIsExplained() {
        // hide /dev behind an empty tmpfs in a private mount namespace
        Commands.Result r = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && ln -s /proc/self/fd /dev/fd"
                        + " && exec \"$0\" mount --foreground \"$1\"", Commands.launcher().toString(), mountpoint.toString()), 60);
        assertUserError(r, "/dev/fuse does not exist");
    }

    @Test
    void unprivilegedUserIsToldWhatIsMissing() throws Exception {
        // nobody may not mount on root's directory, nor make mount namespaces
        Files.setPosixFilePermissions(mountpoint, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // from a copy nobody can reach: the clone itself may sit under a 0700 directory
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Commands.launcherReachableByAnyone().toString());
        List<String> mount = new java.util.ArrayList<>(asNobody);
        mount.addAll(List.of("mount", mountpoint.toString()));
        assertUserError(Commands.run(mount, 60), "no permission to mount");
        List<String> exec = new java.util.ArrayList<>(asNobody);
        exec.addAll(List.of("exec", "--", "true"));
        assertUserError(Commands.run(exec, 60), "needs root");
    }
}
