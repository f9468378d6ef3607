package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent and a cluster mount where openat2 is refused, as systemd's sandbox, a kernel before
 * 5.6 or an older container profile refuse it: each process runs under a real seccomp filter
 * (scripts/without-openat2), the agent's answering ENOSYS and the mount's EPERM. Every file under
 * both hosts is served, and no symlink is entered.
 */
class WithoutOpenat2IT {
    static final Path WITHOUT_OPENAT2 = Path.of("..", "scripts", "without-openat2").toAbsolutePath().normalize();
    static Process agent, sleeper;
    static Path mount, agentLog, mountLog;

    @BeforeAll
    static void start() throws Exception {
        int port = ClusterMountIT.freePortBelowEphemeralRange();
        agentLog = Files.createTempFile("procsys-no-openat2-agent-", ".log");
        mountLog = Files.createTempFile("procsys-no-openat2-mount-", ".log");
        mount = Files.createTempDirectory("procsys-no-openat2-");
        sleeper = Commands.sleeper();
        agent = new ProcessBuilder(WITHOUT_OPENAT2.toString(), Commands.launcher().toString(), "agent",
                "--listen", "127.0.0.1:" + port, "--name", "far", "--insecure", "--warmup", "0")
                .redirectErrorStream(true).redirectOutput(agentLog.toFile()).start();
        Commands.Result mounted = Commands.run(List.of(WITHOUT_OPENAT2.toString(), "--errno", "EPERM", Commands.launcher().toString(),
                "mount", "--name", "near", "--peer", "far=127.0.0.1:" + port, "--insecure", "--log", mountLog.toString(), mount.toString()), 60);
        assertEquals(0, mounted.exit(), mounted.all());
        ClusterMountIT.waitFor(() -> Files.exists(mount.resolve("hosts/far/loadavg")) && readable(mount.resolve("hosts/far/version")),
                30_000, "far served through the mount");
    }

    static boolean readable(Path file) {
        try {
            Files.readAllBytes(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Commands.procsys("umount", mount.toString());
        agent.destroy();
        agent.waitFor();
        sleeper.destroyForcibly();
        Files.deleteIfExists(mount);
    }

    @Test
    void bothProcessesKnowOpenat2IsMissing() throws Exception {
        // the way is probed at the first path below the root (top-level files are opened at the root fd)
        for (String host : List.of("far", "near")) readable(mount.resolve("hosts").resolve(host).resolve("1/stat"));
        ClusterMountIT.waitFor(() -> logSays(agentLog, "openat2 answers ENOSYS"), 10_000, "the agent's log names the fallback");
        ClusterMountIT.waitFor(() -> logSays(mountLog, "openat2 answers EPERM"), 10_000, "the mount's log names the fallback");
    }

    static boolean logSays(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void everyHostIsServed() throws IOException {
        String pid = Long.toString(sleeper.pid());
        for (String host : List.of("far", "near")) {
            Path h = mount.resolve("hosts").resolve(host);
            assertEquals(Files.readString(Path.of("/proc/version")), Files.readString(h.resolve("version")), host);
            assertTrue(Files.readString(h.resolve("loadavg")).matches("[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+/[0-9]+ [0-9]+\n"), host);
            List<String> names = new ArrayList<>();
            try (var entries = Files.list(h)) {
                entries.forEach(p -> names.add(p.getFileName().toString()));
            }
            assertTrue(names.contains(pid) && names.contains("meminfo"), host + ": " + names);
            assertEquals(Files.readString(Path.of("/proc", pid, "cmdline")), Files.readString(h.resolve(pid).resolve("cmdline")), host);
            assertEquals(Files.readString(Path.of("/proc", pid, "status")).lines().findFirst(),
                    Files.readString(h.resolve(pid).resolve("status")).lines().findFirst(), host);
            assertTrue(Files.readString(h.resolve("net/dev")).contains("lo:"), host);
        }
        long local = ClusterMountIT.memTotalKb(Files.readString(Path.of("/proc/meminfo")));
        assertEquals(2 * local, ClusterMountIT.memTotalKb(Files.readString(mount.resolve("meminfo"))), "both hosts in the combined meminfo");
    }

    /** Links are text (the reader's kernel follows them, on the reader's machine); secrets stay refused. The walk's own refusals are ExportedTreeTest's, run under the same filter. */
    @Test
    void linksAreTextAndSecretsStayRefused() throws IOException {
        String pid = Long.toString(sleeper.pid());
        for (String host : List.of("far", "near")) {
            Path process = mount.resolve("hosts").resolve(host).resolve(pid);
            assertEquals("/", Files.readSymbolicLink(process.resolve("root")).toString(), host);
            assertEquals(Files.readSymbolicLink(Path.of("/proc", pid, "cwd")), Files.readSymbolicLink(process.resolve("cwd")), host);
            assertThrows(FileSystemException.class, () -> Files.readString(process.resolve("environ")), host);
        }
    }
}
