package io.procsys.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (what `systemctl stop` sends) and SIGINT end agent, mount and node with status 0, so a
 * unit stops inactive rather than failed, and the mount is gone.
 */
class StopSignalsIT {
    static Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Commands.launcher().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Sends {@code signal} once {@code ready} holds, and returns the exit status. */
    static int stopWith(String signal, Process p, Path log, java.util.function.BooleanSupplier ready) throws Exception {
        try {
            ClusterMountIT.waitFor(() -> ready.getAsBoolean() || !p.isAlive(), 60_000, "ready");
            assertTrue(p.isAlive(), "ended before the signal: " + Files.readString(log));
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), signal + " did not stop it: " + Files.readString(log));
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    static boolean logSays(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean mounted(Path mount) {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mount + " ");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void agentExitsZero() throws Exception {
        Path log = Files.createTempFile("procsys-stop-agent-", ".log");
        for (String signal : List.of("TERM", "INT")) {
            int port = ClusterMountIT.freePortBelowEphemeralRange();
            Process agent = start(log, "agent", "--listen", "127.0.0.1:" + port, "--insecure", "--warmup", "0");
            assertEquals(0, stopWith(signal, agent, log, () -> logSays(log, "exporting")), Files.readString(log));
        }
        Files.delete(log);
    }

    @Test
    void foregroundMountExitsZeroAndUnmounts() throws Exception {
        Path log = Files.createTempFile("procsys-stop-mount-", ".log");
        Path mount = Files.createTempDirectory("procsys-stop-");
        Process p = start(log, "mount", "--foreground", mount.toString());
        assertEquals(0, stopWith("TERM", p, log, () -> mounted(mount)), Files.readString(log));
        assertFalse(mounted(mount), "unmounted");
        Files.delete(mount);
        Files.delete(log);
    }

    @Test
    void nodeExitsZeroAndUnmounts() throws Exception {
        Path log = Files.createTempFile("procsys-stop-node-", ".log");
        Path mount = Files.createTempDirectory("procsys-stop-");
        int port = ClusterMountIT.freePortBelowEphemeralRange();
        int peerPort = ClusterMountIT.freePortBelowEphemeralRange() + 1;
        Process p = start(log, "node", "--listen", "127.0.0.1:" + port, "--insecure",
                "--peer", "nobody=127.0.0.1:" + peerPort, mount.toString());
        assertEquals(0, stopWith("TERM", p, log, () -> logSays(log, "procsys: node")), Files.readString(log));
        assertFalse(mounted(mount), "unmounted");
        Files.delete(mount);
        Files.delete(log);
    }
}
