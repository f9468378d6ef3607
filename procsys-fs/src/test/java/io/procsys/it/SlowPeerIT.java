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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that stays connected but answers after the deadline (through {@link DelayingProxy}):
 * readers never wait past the deadline, and once it missed one, not at all (a late host is not
 * waited for); the combined files serve its last answer while it is within --stale-ms, then leave
 * it out; status says which; the late replies are dropped without harm, and once it is fast again
 * it is back in the sums.
 */
class SlowPeerIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(300);
    static final long MARGIN_MILLIS = 300;
    static Agent agent;
    static DelayingProxy proxy;
    static TestMount mounted;
    static Cluster cluster;
    static Peer peer;

    @BeforeAll
    static void start() throws Exception {
        agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "slow", new ExportedTree(ProcTree.open(FIXTURE)), null);
        proxy = new DelayingProxy(agent.address());
        cluster = new Cluster("near", List.of(new Cluster.PeerAddress("slow", proxy.address())), null, DEADLINE);
        mounted = new TestMount(Path.of("/proc"), cluster);
        peer = cluster.peers().getFirst();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 15_000, "slow peer up");
    }

    @AfterAll
    static void stop() throws IOException {
        mounted.close();
        proxy.close();
        agent.close();
    }

    @Test
    void lateAnswersAreLeftOutAndThePeerComesBackWhenFast() throws Exception {
        Path mount = mounted.path;
        long local = PeerFaultsIT.memTotal(mount.resolve("hosts/near/meminfo"));
        long far = PeerFaultsIT.memTotal(FIXTURE.resolve("meminfo"));
        assertEquals(local + far, PeerFaultsIT.memTotal(mount.resolve("meminfo")));
        long fdsBefore = PeerFaultsIT.openFileDescriptors();
        int threadsBefore = Thread.activeCount();

        proxy.delayMillis = 3 * DEADLINE.toMillis();
        long slowest = 0, slowAfterFirst = 0;
        long staleUntil = System.nanoTime() + Duration.ofMillis(Cluster.DEFAULT_STALE_DEADLINES * DEADLINE.toMillis()).toNanos();
        boolean sawStale = false;
        for (int i = 0; i < 20 || System.nanoTime() - staleUntil < 0; i++) { // replies keep arriving late while later requests go out
            long t0 = System.nanoTime();
            long total = PeerFaultsIT.memTotal(mount.resolve("meminfo"));
            long took = (System.nanoTime() - t0) / 1_000_000;
            slowest = Math.max(slowest, took);
            if (i > 0) slowAfterFirst = Math.max(slowAfterFirst, took);
            assertTrue(total == local || total == local + far, "served stale or left out: " + total);
            if (total == local + far) sawStale = true;
            Thread.sleep(20);
        }
        assertTrue(sawStale, "its last answer was served while within --stale-ms");
        assertEquals(local, PeerFaultsIT.memTotal(mount.resolve("meminfo")), "past --stale-ms the late peer is left out");
        assertTrue(slowest <= DEADLINE.toMillis() + MARGIN_MILLIS, "slowest combined read " + slowest + " ms");
        assertTrue(slowAfterFirst <= MARGIN_MILLIS, "once late it is not waited for: " + slowAfterFirst + " ms");
        assertEquals("LEFT OUT", cluster.staleHosts().getFirst().state(), cluster.staleHosts().toString());
        long waited = PeerFaultsIT.millisToFail(mount.resolve("hosts/slow/meminfo"));
        assertTrue(waited <= DEADLINE.toMillis() + MARGIN_MILLIS, "its own files fail within the deadline: " + waited + " ms");
        assertTrue(peer.status().lastError().matches(".*(timed out|unanswered).*"), peer.status().toString());

        proxy.delayMillis = 0;
        ClusterMountIT.waitFor(() -> {
            try {
                return PeerFaultsIT.memTotal(mount.resolve("meminfo")) == local + far;
            } catch (IOException e) {
                return false;
            }
        }, 10_000, "the peer back in the sum once fast");
        assertEquals(Files.readString(FIXTURE.resolve("meminfo")), Files.readString(mount.resolve("hosts/slow/meminfo")));
        long fdsAfter = PeerFaultsIT.openFileDescriptors();
        assertTrue(fdsAfter <= fdsBefore + 3, "descriptors: " + fdsBefore + " → " + fdsAfter);
        assertTrue(Thread.activeCount() <= threadsBefore + 3, "threads: " + threadsBefore + " → " + Thread.activeCount());
    }
}
