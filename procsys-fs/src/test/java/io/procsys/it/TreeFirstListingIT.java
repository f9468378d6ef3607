package io.procsys.it;

import io.procsys.fs.cluster.ClusterActions;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh tree with every deadline at its default (500 ms): four leaf agents whose every reply
 * takes 800 ms (a slow host: a loaded machine, a TCG guest), two racks (`node --export combined`
 * as it starts them) and a top mount. The first listing at the top waits for every leaf's first
 * table (a rack waits its leaves' first tables up to 5 deadlines; the rack's Welcome tells the
 * top how long that is, so the top waits its own deadline plus that): every leaf's processes are
 * there. A later listing keeps the deadline: the slow leaves are then left out, and said so.
 * Before, the first listing at the top missed whole racks.
 */
class TreeFirstListingIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final long SLOW_MILLIS = 800;
    static final List<AutoCloseable> closing = new ArrayList<>();
    static final List<Peer> peers = new ArrayList<>();
    static Cluster topCluster;
    static TestMount top;

    @BeforeAll
    static void build() throws Exception {
        List<Cluster.PeerAddress> racks = new ArrayList<>();
        for (String rack : List.of("r1", "r2")) {
            List<Cluster.PeerAddress> leaves = new ArrayList<>();
            for (String leaf : List.of("l1", "l2")) {
                Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), leaf, new ExportedTree(ProcTree.open(FIXTURE)), null);
                DelayingProxy slow = new DelayingProxy(agent.address());
                slow.delayMillis = SLOW_MILLIS;
                closing.addFirst(agent);
                closing.addFirst(slow);
                leaves.add(new Cluster.PeerAddress(leaf, slow.address()));
            }
            Cluster rackCluster = new Cluster(rack, leaves, null, Cluster.DEFAULT_DEADLINE);
            TestMount rackMount = new TestMount(Path.of("/proc"), rackCluster);
            ProcTree rackTree = ProcTree.open(rackMount.path);
            Agent rackAgent = Agent.start(new InetSocketAddress("127.0.0.1", 0), rack, new ExportedTree(rackTree), null, null, SignalMode.OFF,
                    rackCluster.subtreeTables(new ExportedTree(ProcTree.open(Path.of("/proc")))), rackCluster.combinedFiles());
            closing.addFirst(rackMount);
            closing.addFirst(rackTree::close);
            closing.addFirst(rackAgent);
            peers.addAll(rackCluster.peers());
            racks.add(new Cluster.PeerAddress(rack, rackAgent.address(), true)); // tree nodes: their announced wait is honoured
        }
        topCluster = new Cluster("top", racks, null, Cluster.DEFAULT_DEADLINE);
        top = new TestMount(Path.of("/proc"), topCluster);
        peers.addAll(topCluster.peers());
        for (Peer p : peers) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 20_000, p.name() + " up");
    }

    @AfterAll
    static void tearDown() throws Exception {
        top.close();
        for (AutoCloseable c : closing) c.close();
    }

    /** The hosts whose processes a listing of the top's root shows now (a leaf by its path, rack/leaf). */
    static Set<String> hostsListed() throws IOException {
        Set<String> hosts = new TreeSet<>();
        try (var s = Files.list(top.path)) {
            for (String name : s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[1-9][0-9]{6,9}")).toList()) {
                ClusterActions.Location at = ClusterPids.where(topCluster, Long.parseLong(name));
                if (at != null) hosts.add(at.host());
            }
        }
        return hosts;
    }

    @Test
    void theFirstListingAtTheTopHasEveryLeafAndALaterOneKeepsTheDeadline() throws Exception {
        long t0 = System.nanoTime();
        Set<String> first = hostsListed();
        long firstMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("TreeFirstListingIT: first listing at the top of 2 racks x 2 slow leaves took " + firstMillis + " ms");
        assertEquals(Set.of("r1", "r1/l1", "r1/l2", "r2", "r2/l1", "r2/l2"), first, "every host's processes, in " + firstMillis + " ms");

        Thread.sleep(2_500); // past the table window: the next listing fetches new tables
        t0 = System.nanoTime();
        Set<String> later = hostsListed();
        long laterMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("TreeFirstListingIT: a later listing took " + laterMillis + " ms and showed " + later);
        assertEquals(Set.of("r1", "r2"), later, "slow leaves are left out once they had their first table");
        assertTrue(laterMillis < 2 * Cluster.DEFAULT_DEADLINE.toMillis() + 1_000, "the deadline, not the first wait: " + laterMillis + " ms");
        assertTrue(topCluster.peers().stream().anyMatch(p -> p.status().lastTableError().contains("/l")), "said so at the top");
    }
}
