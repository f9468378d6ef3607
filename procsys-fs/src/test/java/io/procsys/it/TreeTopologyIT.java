package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
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

/**
 * A two-level tree: leaf agent (a captured host) ← mid node (mounts leaf, exports its combined
 * view) ← top mount. The top sees mid as one host whose files already combine the leaf.
 */
class TreeTopologyIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(800);
    static Agent leaf, midAgent;
    static ProcTree midTree;
    static TestMount mid, top;

    @BeforeAll
    static void build() throws Exception {
        leaf = Agent.start(new InetSocketAddress("127.0.0.1", 0), "leaf", new ExportedTree(ProcTree.open(FIXTURE)), null);
        Cluster midCluster = new Cluster("mid", List.of(new Cluster.PeerAddress("leaf", leaf.address())), null, DEADLINE);
        mid = new TestMount(Path.of("/proc"), midCluster);
        midTree = ProcTree.open(mid.path);
        midAgent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "mid", new ExportedTree(midTree), null);
        Cluster topCluster = new Cluster("top", List.of(new Cluster.PeerAddress("mid", midAgent.address())), null, DEADLINE);
        top = new TestMount(Path.of("/proc"), topCluster);
        for (Peer p : List.of(midCluster.peers().getFirst(), topCluster.peers().getFirst())) {
            ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, p.name() + " up");
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        top.close();
        midAgent.close();
        midTree.close();
        mid.close();
        leaf.close();
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
}
