package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer's agent as its own process (`procsys agent`), stopped with SIGSTOP, resumed, killed with
 * SIGKILL and restarted, while the mount keeps answering within the deadline. Also `procsys exec`
 * with peers, whole view and --files-only.
 */
class PeerFaultsIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(300);
    static final long MARGIN_MILLIS = 300;
    static int port;
    static Process agent;
    static TestMount mounted;
    static Cluster cluster;
    static Peer peer;

    static Process startAgent() throws Exception {
        Process p = new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port,
                "--name", "far", "--insecure", "--proc-root", FIXTURE.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p;
    }

    @BeforeAll
    static void start() throws Exception {
        port = ClusterMountIT.freePortBelowEphemeralRange();
        agent = startAgent();
        cluster = new Cluster("near", List.of(new Cluster.PeerAddress("far", new InetSocketAddress("127.0.0.1", port))), null, DEADLINE);
        mounted = new TestMount(Path.of("/proc"), cluster);
        peer = cluster.peers().getFirst();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 15_000, "far up");
    }

    @AfterAll
    static void stop() throws IOException {
        agent.destroyForcibly();
        mounted.close();
    }

    static long millisToFail(Path file) {
        long t0 = System.nanoTime();
        assertThrows(FileSystemException.class, () -> Files.readAllBytes(file));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static long memTotal(Path meminfo) throws IOException {
        return ClusterMountIT.memTotalKb(Files.readString(meminfo));
    }

    /** Open descriptors of this process, the least of a few samples (listing them opens one, and other threads come and go). */
    static long openFileDescriptors() throws IOException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                least = Math.min(least, fds.count());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return least;
    }

    @Test
    void stoppedThenKilledPeerNeverHoldsAReaderPastTheDeadline() throws Exception {
        Path mount = mounted.path;
        long fdsBefore = openFileDescriptors();
        int threadsBefore = Thread.activeCount();
        long local = memTotal(mount.resolve("hosts/near/meminfo"));
        long far = memTotal(FIXTURE.resolve("meminfo"));
        assertEquals(local + far, memTotal(mount.resolve("meminfo")));

        new ProcessBuilder("kill", "-STOP", Long.toString(agent.pid())).start().waitFor();
        try {
            long waited = millisToFail(mount.resolve("hosts/far/version"));
            assertTrue(waited <= DEADLINE.toMillis() + MARGIN_MILLIS, "stopped peer answered in " + waited + " ms");
            assertTrue(peer.status().lastError().contains("timed out"), peer.status().toString());
            // late now: not waited for; served from its last meminfo while that is within --stale-ms (4 deadlines), then left out
            long t0 = System.nanoTime();
            assertEquals(local + far, memTotal(mount.resolve("meminfo")), "the stopped peer served from its last answer");
            assertTrue((System.nanoTime() - t0) / 1_000_000 <= MARGIN_MILLIS, "not waited for again");
            assertEquals("STALE", cluster.staleHosts().getFirst().state(), cluster.staleHosts().toString());
            Thread.sleep(Cluster.DEFAULT_STALE_DEADLINES * DEADLINE.toMillis());
            t0 = System.nanoTime();
            assertEquals(local, memTotal(mount.resolve("meminfo")), "past --stale-ms the stopped peer is left out");
            assertTrue((System.nanoTime() - t0) / 1_000_000 <= MARGIN_MILLIS, "not waited for again");
            assertEquals("LEFT OUT", cluster.staleHosts().getFirst().state(), cluster.staleHosts().toString());
            long failFast = millisToFail(mount.resolve("hosts/far/version"));
            assertTrue(failFast <= DEADLINE.toMillis() + MARGIN_MILLIS, "its own files: at most one wait a deadline period, " + failFast + " ms");
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(agent.pid())).start().waitFor();
        }
        ClusterMountIT.waitFor(() -> {
            try {
                return memTotal(mount.resolve("meminfo")) == local + far;
            } catch (IOException e) {
                return false;
            }
        }, 5_000, "far back after SIGCONT");

        agent.destroyForcibly().waitFor();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.DOWN, 5_000, "far down");
        assertTrue(millisToFail(mount.resolve("hosts/far/version")) <= MARGIN_MILLIS, "a dead peer fails at once");
        ClusterMountIT.waitFor(() -> {
            try {
                return memTotal(mount.resolve("meminfo")) == local;
            } catch (IOException e) {
                return false;
            }
        }, Cluster.DEFAULT_STALE_DEADLINES * DEADLINE.toMillis() + 2_000, "a dead peer left out past --stale-ms");
        agent = startAgent();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 15_000, "far back after restart");
        assertEquals(local + far, memTotal(mount.resolve("meminfo")));
        // the faults leaked nothing in the mounting process
        long fdsAfter = openFileDescriptors();
        assertTrue(fdsAfter <= fdsBefore + 3, "descriptors: " + fdsBefore + " → " + fdsAfter);
        assertTrue(Thread.activeCount() <= threadsBefore + 3, "threads: " + threadsBefore + " → " + Thread.activeCount());
    }

    @Test
    void execWithPeersShowsTheCombinedView() throws Exception {
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 15_000, "far up");
        long local = memTotal(Path.of("/proc/meminfo"));
        long far = memTotal(FIXTURE.resolve("meminfo"));
        Commands.Result whole = Commands.procsys("exec", "--peer", "far=127.0.0.1:" + port, "--insecure", "--", "free");
        assertEquals(0, whole.exit(), whole.err());
        assertEquals(Long.toString(local + far), ToolOutputs.row(whole.out(), "Mem:")[1]);
        Commands.Result filesOnly = Commands.procsys("exec", "--files-only", "--peer", "far=127.0.0.1:" + port, "--insecure", "--",
                "sh", "-c", "free; ls -d /proc/[0-9]* | wc -l; readlink /proc/self");
        assertEquals(0, filesOnly.exit(), filesOnly.err());
        assertEquals(Long.toString(local + far), ToolOutputs.row(filesOnly.out(), "Mem:")[1]);
        List<String> lines = filesOnly.out().lines().toList();
        assertTrue(Integer.parseInt(lines.get(lines.size() - 2).trim()) < 1000, "only this host's processes");
    }
}
