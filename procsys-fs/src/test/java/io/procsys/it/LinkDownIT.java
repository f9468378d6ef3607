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
 * A peer in its own network and pid namespace, cut off by taking its veth link down (no reset,
 * packets just vanish): reads end at the deadline, combined files leave it out, and it is back
 * once the link is up again.
 */
class LinkDownIT {
    static final String NS = "procsys-linktest";
    static final String LINK = "pslinktest";
    static final String ADDRESS = "10.232.1.2";
    static final Duration DEADLINE = Duration.ofMillis(400);
    static Process agent;
    static TestMount mounted;
    static Peer peer;

    static void sh(String script) {
        Commands.Result r = Commands.run("sh", "-c", script);
        assertEquals(0, r.exit(), script + ": " + r.all());
    }

    @BeforeAll
    static void start() throws Exception {
        Commands.run("ip", "link", "del", LINK);
        Commands.run("ip", "netns", "del", NS);
        sh("ip netns add " + NS + " && ip link add " + LINK + " type veth peer name eth0 netns " + NS
                + " && ip addr add 10.232.1.1/24 dev " + LINK + " && ip link set " + LINK + " up"
                + " && ip netns exec " + NS + " sh -c 'ip addr add " + ADDRESS + "/24 dev eth0 && ip link set eth0 up && ip link set lo up'");
        agent = new ProcessBuilder("ip", "netns", "exec", NS, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                Commands.launcher().toString(), "agent", "--listen", ADDRESS + ":7070", "--name", "far", "--insecure")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Cluster cluster = new Cluster("near", List.of(new Cluster.PeerAddress("far", new InetSocketAddress(ADDRESS, 7070))), null, DEADLINE);
        mounted = new TestMount(Path.of("/proc"), cluster);
        peer = cluster.peers().getFirst();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 20_000, "far up");
    }

    @AfterAll
    static void stop() throws Exception {
        mounted.close();
        agent.descendants().forEach(ProcessHandle::destroy);
        agent.waitFor();
        Commands.run("ip", "link", "del", LINK);
        Commands.run("ip", "netns", "del", NS);
    }

    @Test
    void aCutLinkCostsAtMostTheDeadlineAndHeals() throws Exception {
        Path m = mounted.path;
        // the agent's own pid namespace: its /proc has few processes, and it is pid 1 there
        assertTrue(Files.readString(m.resolve("hosts/far/1/cmdline")).contains("agent"));
        long local = ClusterMountIT.memTotalKb(Files.readString(m.resolve("hosts/near/meminfo")));
        long far = ClusterMountIT.memTotalKb(Files.readString(m.resolve("hosts/far/meminfo")));
        assertEquals(local + far, ClusterMountIT.memTotalKb(Files.readString(m.resolve("meminfo"))));

        sh("ip link set " + LINK + " down");
        try {
            long t0 = System.nanoTime();
            assertThrows(FileSystemException.class, () -> Files.readAllBytes(m.resolve("hosts/far/version")));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited <= DEADLINE.toMillis() + 300, "cut-off peer answered in " + waited + " ms");
            // served from its last answer while that is within --stale-ms (4 deadlines), then left out; each read within the deadline
            ClusterMountIT.waitFor(() -> {
                long t1 = System.nanoTime();
                try {
                    long sum = ClusterMountIT.memTotalKb(Files.readString(m.resolve("meminfo")));
                    assertTrue((System.nanoTime() - t1) / 1_000_000 <= DEADLINE.toMillis() + 300, "a read waited past the deadline");
                    assertTrue(sum == local || sum == local + far, "the sum is this host's, or with far's last answer: " + sum);
                    return sum == local;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, 4 * DEADLINE.toMillis() + 2_000, "far left out of the sum past --stale-ms");
        } finally {
            sh("ip link set " + LINK + " up");
        }
        ClusterMountIT.waitFor(() -> {
            try {
                return ClusterMountIT.memTotalKb(Files.readString(m.resolve("meminfo"))) == local + far;
            } catch (IOException e) {
                return false;
            }
        }, 15_000, "far back once the link is up");
    }
}
