package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.SignalMode;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A two-level tree: leaf agent (a captured host) ← mid node (mounts leaf, exports its combined
 * view) ← top mount. The top sees mid as one host whose files already combine the leaf. The leaf
 * is reached through a {@link DelayingProxy}, so it can be made slow as well as killed.
 *
 * <p>Deadlines nest: mid gives up on the leaf after its own deadline and still answers, so the
 * top's deadline must be longer than mid's, or a slow leaf would cost the top the whole subtree.
 */
class TreeTopologyIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration MID_DEADLINE = Duration.ofMillis(300);
    static final Duration TOP_DEADLINE = Duration.ofMillis(900);
    static Agent leaf, midAgent;
    static int leafPort;
    static DelayingProxy toLeaf;
    static Peer leafAtMid, midAtTop;
    static ProcTree midTree;
    static TestMount mid, top;
    static Cluster topCluster;

    @BeforeAll
    static void build() throws Exception {
        leafPort = ClusterMountIT.freePortBelowEphemeralRange();
        leaf = startLeaf();
        toLeaf = new DelayingProxy(leaf.address());
        Cluster midCluster = new Cluster("mid", List.of(new Cluster.PeerAddress("leaf", toLeaf.address())), null, MID_DEADLINE);
        mid = new TestMount(Path.of("/proc"), midCluster);
        midTree = ProcTree.open(mid.path);
        // as `node --export combined` starts it: the view exported, process tables of the whole subtree in
        // one reply, combined files straight from the view
        midAgent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "mid", new ExportedTree(midTree), null, null, SignalMode.OFF,
                midCluster.subtreeTables(new ExportedTree(ProcTree.open(Path.of("/proc")))), midCluster.combinedFiles());
        topCluster = new Cluster("top", List.of(new Cluster.PeerAddress("mid", midAgent.address(), true)), null, TOP_DEADLINE);
        top = new TestMount(Path.of("/proc"), topCluster);
        leafAtMid = midCluster.peers().getFirst();
        midAtTop = topCluster.peers().getFirst();
        for (Peer p : List.of(leafAtMid, midAtTop)) {
            ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, p.name() + " up");
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        top.close();
        midAgent.close();
        midTree.close();
        mid.close();
        toLeaf.close();
        leaf.close();
    }

    static Agent startLeaf() throws InterruptedException {
        return Agent.start(new InetSocketAddress("127.0.0.1", leafPort), "leaf", new ExportedTree(ProcTree.open(FIXTURE)), null);
    }

    static long topMemTotal() throws IOException {
        return ClusterMountIT.memTotalKb(Files.readString(top.path.resolve("meminfo")));
    }

    /** The top's combined meminfo, asserting it came within the top's deadline and a margin. */
    static long topMemTotalInTime() throws IOException {
        long t0 = System.nanoTime();
        long total = topMemTotal();
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took <= TOP_DEADLINE.toMillis() + 300, "top read took " + took + " ms");
        return total;
    }

    @Test
    void aSlowOrDeadLeafCostsTheTopOnlyThatLeaf() throws Exception {
        long local = ClusterMountIT.memTotalKb(Files.readString(Path.of("/proc/meminfo")));
        long leafTotal = ClusterMountIT.memTotalKb(Files.readString(FIXTURE.resolve("meminfo")));
        assertEquals(local + local + leafTotal, topMemTotalInTime());

        toLeaf.delayMillis = 3 * MID_DEADLINE.toMillis(); // slow: answers after mid's deadline
        // mid serves the leaf's last answer while it is within its --stale-ms (4 of its deadlines), then leaves it out
        long staleUntil = System.nanoTime() + (Cluster.DEFAULT_STALE_DEADLINES * MID_DEADLINE.toMillis() + 1_000) * 1_000_000;
        while (System.nanoTime() - staleUntil < 0) {
            long total = topMemTotalInTime();
            assertTrue(total == local + local || total == local + local + leafTotal, "stale or left out: " + total);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(local + local, topMemTotalInTime(), "mid leaves the slow leaf out; the top keeps mid");
        }
        assertTrue(leafAtMid.status().lastError().contains("timed out"), leafAtMid.status().toString());
        assertEquals(Peer.State.UP, midAtTop.status().state(), "mid itself is fine: " + midAtTop.status());
        toLeaf.delayMillis = 0;
        ClusterMountIT.waitFor(() -> {
            try {
                return topMemTotal() == local + local + leafTotal;
            } catch (IOException e) {
                return false;
            }
        }, 10_000, "the leaf back at the top once fast");

        leaf.close(); // killed
        ClusterMountIT.waitFor(() -> leafAtMid.status().state() == Peer.State.DOWN, 5_000, "leaf down at mid");
        ClusterMountIT.waitFor(() -> {
            try {
                return topMemTotalInTime() == local + local;
            } catch (IOException e) {
                return false;
            }
        }, Cluster.DEFAULT_STALE_DEADLINES * MID_DEADLINE.toMillis() + 2_000, "a dead leaf left out past mid's --stale-ms");
        leaf = startLeaf(); // restarted on its port
        ClusterMountIT.waitFor(() -> {
            try {
                return topMemTotal() == local + local + leafTotal;
            } catch (IOException e) {
                return false;
            }
        }, 15_000, "the leaf back at the top after a restart");
    }

    @Test
    void theTopSeesTheSubtreeAsOneHostWithItsPath() throws IOException {
        Path t = top.path;
        assertEquals(List.of("mid", "top"), ClusterMountIT.names(t.resolve("hosts")));
        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve("meminfo")), Files.readAllBytes(t.resolve("hosts/mid/hosts/leaf/meminfo")),
                "a leaf's file through two levels");
        long local = ClusterMountIT.memTotalKb(Files.readString(Path.of("/proc/meminfo")));
        long leafTotal = ClusterMountIT.memTotalKb(Files.readString(FIXTURE.resolve("meminfo")));
        assertEquals(local + leafTotal, ClusterMountIT.memTotalKb(Files.readString(t.resolve("hosts/mid/meminfo"))), "mid combines its subtree");
        assertEquals(local + local + leafTotal, ClusterMountIT.memTotalKb(Files.readString(t.resolve("meminfo"))), "top: itself + the subtree");
    }

    /** The cluster pids the top's root lists now. */
    static List<Long> topPids() throws IOException {
        try (var s = Files.list(top.path)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[1-9][0-9]{6,9}")).map(Long::parseLong).filter(p -> p >= 1L << 22).toList();
        }
    }

    @Test
    void theTopListsTheLeafsProcessesAndASlowLeafLeavesOnlyThoseOut() throws Exception {
        long leafProcess = ClusterPids.listed(topCluster, top.path, "mid/leaf", 26231); // the captured host's process, two levels down
        assertTrue(Files.readString(top.path.resolve(leafProcess + "/stat")).startsWith(leafProcess + " ("), "its stat, under its cluster pid");
        long midProcesses = topPids().stream().filter(p -> ClusterPids.where(topCluster, p).host().equals("mid")).count();
        assertTrue(midProcesses > 0, "mid's own processes are listed");

        toLeaf.delayMillis = 3 * MID_DEADLINE.toMillis(); // late at mid: mid names it in its reply, without a table
        try {
            // mid serves the leaf's last table while it is within mid's --stale-ms, then names it without one
            ClusterMountIT.waitFor(() -> {
                try {
                    return !topPids().contains(leafProcess);
                } catch (IOException e) {
                    return false;
                }
            }, Cluster.DEFAULT_STALE_DEADLINES * MID_DEADLINE.toMillis() + 5_000, "the late leaf's processes left out");
            List<Long> listed = topPids();
            assertTrue(!listed.contains(leafProcess), "the late leaf's processes are left out");
            assertTrue(listed.stream().anyMatch(p -> ClusterPids.where(topCluster, p).host().equals("mid")), "mid's are not");
            Peer.Status status = midAtTop.status();
            assertTrue(status.lastTableError().contains("mid/leaf"), "the top says which host it left out: " + status);
        } finally {
            toLeaf.delayMillis = 0;
        }
        ClusterMountIT.waitFor(() -> {
            try {
                return topPids().contains(leafProcess);
            } catch (IOException e) {
                return false;
            }
        }, 10_000, "the leaf's process back under the same cluster pid");
    }
}
