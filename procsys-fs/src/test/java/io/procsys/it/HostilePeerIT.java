package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lying, silent or flooding peer cannot stall or starve the view (issue 36): one mount of two
 * honest agents and a {@link HostilePeer}, for each of what a compromised agent or node can do.
 * In each case the honest hosts' reads and listings keep their deadline, and what the hostile
 * peer costs the mount is bounded. Bounded versions for CI; the long soak is HostileSoakIT.
 */
class HostilePeerIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(400);
    /** What a read or listing of the honest hosts may take: the deadline and a margin for a loaded 2-core machine. */
    static final long IN_TIME_MILLIS = DEADLINE.toMillis() + 400;
    final List<AutoCloseable> closing = new ArrayList<>();
    Cluster cluster;
    TestMount mount;

    @AfterEach
    void stop() throws Exception {
        if (mount != null) mount.close();
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    /** A mount of the honest agents (a captured host, and this host's /proc) and {@code hostile}, all connected. */
    void mount(List<Cluster.PeerAddress> hostile, Duration maxBelowWait) throws Exception {
        Agent captured = Agent.start(new InetSocketAddress("127.0.0.1", 0), "honest", new ExportedTree(ProcTree.open(FIXTURE)), null);
        Agent live = Agent.start(new InetSocketAddress("127.0.0.1", 0), "live", new ExportedTree(ProcTree.open(Path.of("/proc"))), null);
        closing.add(captured);
        closing.add(live);
        List<Cluster.PeerAddress> peers = new ArrayList<>(List.of(new Cluster.PeerAddress("honest", captured.address()),
                new Cluster.PeerAddress("live", live.address())));
        peers.addAll(hostile);
        cluster = new Cluster("here", peers, null, DEADLINE).maxBelowWait(maxBelowWait);
        mount = new TestMount(Path.of("/proc"), cluster);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 15_000, p.name() + " up");
    }

    HostilePeer hostile(String name) throws Exception {
        HostilePeer h = new HostilePeer(name, FIXTURE, null);
        closing.add(h);
        return h;
    }

    /** ms to list the mount's root in another process (ls -f), killed past {@code bound} s. */
    long listingMillis(long bound) {
        long t0 = System.nanoTime();
        Commands.Result ls = Commands.run(List.of("ls", "-f", mount.path.toString()), bound);
        assertEquals(0, ls.exit(), ls.err());
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** ms to read a file of the mount. */
    long readMillis(String file) throws IOException {
        long t0 = System.nanoTime();
        assertTrue(Files.readAllBytes(mount.path.resolve(file)).length > 0, file);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The honest hosts' own files and the combined files answer within the deadline. */
    void honestHostsInTime() throws IOException {
        for (String f : List.of("hosts/honest/meminfo", "hosts/live/loadavg", "meminfo", "stat")) {
            long took = readMillis(f);
            assertTrue(took <= IN_TIME_MILLIS, f + " took " + took + " ms");
        }
        assertTrue(ClusterPids.listed(cluster, mount.path, "honest", 26231) > 0, "the honest captured host's process is listed");
    }

    /**
     * An agent whose Welcome says it may wait ten minutes for hosts below it, then never answers a
     * table: before, every listing waited for it (its first ten minutes and more). It is no tree
     * node here, so the wait is not honoured: its first table gets the long first wait once, and
     * no listing after that waits for it. A node that lies is held to --max-below-wait.
     */
    @Test
    void aLyingWelcomeHoldsNoListing() throws Exception {
        HostilePeer liar = hostile("liar"), lyingNode = hostile("lyingnode");
        for (HostilePeer h : List.of(liar, lyingNode)) {
            h.welcomeWaitMillis = 600_000;
            h.mode = HostilePeer.Mode.SILENT_TABLES;
        }
        mount(List.of(new Cluster.PeerAddress("liar", liar.address()), new Cluster.PeerAddress("lyingnode", lyingNode.address(), true)),
                Duration.ofSeconds(2));
        long first = listingMillis(40);
        assertTrue(first <= 10_000 + 2_000 + IN_TIME_MILLIS, "the first listing waits a first table's 10 s and the node's clamped 2 s at most: " + first + " ms");
        for (int i = 0; i < 5; i++) {
            long later = listingMillis(40);
            assertTrue(later <= IN_TIME_MILLIS, "a later listing keeps the deadline: " + later + " ms");
        }
        honestHostsInTime();
    }

    /**
     * An agent that answers its hello and then nothing, its connection open: the first request
     * waits the deadline, then it is not waited for (one request a deadline period still goes to
     * it), its pending requests leave at their deadline and its connection is closed after 8
     * timeouts in a row. Before, every read waited for it and every request stayed pending until
     * the connection closed, which it never did.
     */
    @Test
    void aSilentPeerCostsOneDeadlineAndIsCutOff() throws Exception {
        HostilePeer silent = hostile("silent");
        mount(List.of(new Cluster.PeerAddress("silent", silent.address())), Duration.ZERO);
        silent.mode = HostilePeer.Mode.SILENT;
        long asked = silent.requests.get();
        int reads = 0;
        long slowestAfterFirst = 0;
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            long took = readMillis("meminfo");
            assertTrue(took <= IN_TIME_MILLIS, "a combined read took " + took + " ms");
            if (reads++ > 0) slowestAfterFirst = Math.max(slowestAfterFirst, took);
        }
        long sent = silent.requests.get() - asked;
        assertTrue(sent <= reads / 4, sent + " requests sent to the silent peer for " + reads + " reads: at most one a deadline period once late");
        assertTrue(slowestAfterFirst <= 200, "not waited for once late: " + slowestAfterFirst + " ms");
        assertTrue(silent.closedConnections.get() >= 1, "its connection was closed after timeouts in a row");
        honestHostsInTime();
    }

    /**
     * An agent that answers with a frame of 30 MiB announced and then a byte every 100 ms: the
     * connection is closed once the frame is older than the longest any request waits (a first
     * table's 10 s here), even with no request waiting; before, it held the connection and the
     * bytes for as long as it dripped.
     */
    @Test
    void aTricklingPeerIsCutOff() throws Exception {
        HostilePeer trickle = hostile("trickle");
        mount(List.of(new Cluster.PeerAddress("trickle", trickle.address())), Duration.ZERO);
        trickle.mode = HostilePeer.Mode.TRICKLE;
        assertThrows(FileSystemException.class, () -> Files.readAllBytes(mount.path.resolve("hosts/trickle/version")));
        honestHostsInTime();
        ClusterMountIT.waitFor(() -> trickle.closedConnections.get() >= 1, 20_000, "the trickling connection closed");
        honestHostsInTime();
    }

    /**
     * An agent whose every table lists 100 000 processes under pids it never used before: before,
     * it filled the pid map (2^21) in about 21 listings, and after that no other host's new
     * process got a cluster pid. Now it holds at most its share (2^18), its own oldest go first,
     * and status names it.
     */
    @Test
    void aPeerThatChangesItsPidsAtEveryListingStaysInItsShare() throws Exception {
        HostilePeer churn = hostile("churn");
        mount(List.of(new Cluster.PeerAddress("churn", churn.address())), Duration.ZERO);
        churn.churnSize = 100_000;
        churn.mode = HostilePeer.Mode.CHURN_PIDS;
        for (int listing = 0; listing < 24; listing++) {
            listingMillis(60);
            Thread.sleep(Cluster.DEFAULT_TABLE_WINDOW.toMillis() / 8); // each listing a new table (top's second sample)
        }
        Process fresh = new ProcessBuilder("sleep", "120").start();
        try {
            long listed = ClusterPids.listed(cluster, mount.path, "live", fresh.pid());
            assertTrue(listed > 0, "a new process of an honest host still gets a cluster pid");
        } finally {
            fresh.destroy();
        }
        assertTrue(cluster.offenders().stream().anyMatch(q -> q.host().equals("churn") && q.quota().contains("one host")),
                "status names the offender: " + cluster.offenders());
        honestHostsInTime();
    }

    /**
     * A tree node whose every reply names 4 095 hosts below it never named before: before, 16
     * replies took every host index, and no host could join anywhere for the quarantine (5 min).
     * Now it holds at most its share (8 192), its own freed indices reused first, and another
     * node's new host still joins and is listed.
     */
    @Test
    void aNodeThatNamesThousandsOfHostsStaysInItsShare() throws Exception {
        HostilePeer flood = hostile("flood"), other = hostile("other");
        mount(List.of(new Cluster.PeerAddress("flood", flood.address(), true), new Cluster.PeerAddress("other", other.address(), true)),
                Duration.ZERO);
        flood.mode = HostilePeer.Mode.MANY_HOSTS;
        for (int listing = 0; listing < 18; listing++) listingMillis(60);
        other.hostsPerReply = 1;
        other.newHostsEachReply = false;
        other.mode = HostilePeer.Mode.MANY_HOSTS; // from now on, a host below it that joins now
        long t0 = System.nanoTime();
        listingMillis(60);
        assertTrue(ClusterPids.listed(cluster, mount.path, "other/h0", 7) > 0, "a new host below another node joined and is listed");
        assertTrue(cluster.offenders().stream().anyMatch(q -> q.host().equals("flood") && q.quota().contains("indices")),
                "status names the offender: " + cluster.offenders());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 30_000);
        honestHostsInTime();
    }

    /**
     * An agent whose status gives its process a Tgid (and PPid) of another host's cluster pid:
     * before, the mount showed it as it came, and under exec a user's tkill to that thread went
     * to the other host's process. Now the file is refused.
     */
    @Test
    void pidFieldsNoHostHandsOutAreRefused() throws Exception {
        HostilePeer forger = hostile("forger");
        mount(List.of(new Cluster.PeerAddress("forger", forger.address())), Duration.ZERO);
        long victim = ClusterPids.listed(cluster, mount.path, "honest", 26231);
        forger.forgedPid = victim;
        forger.mode = HostilePeer.Mode.BIG_PIDS;
        Thread.sleep(Cluster.DEFAULT_TABLE_WINDOW.toMillis() + 200); // past the table it sent honestly
        long forged = ClusterPids.listed(cluster, mount.path, "forger", 26231);
        FileSystemException refused = assertThrows(FileSystemException.class, () -> Files.readString(mount.path.resolve(forged + "/status")));
        assertTrue(String.valueOf(refused.getMessage()).contains("Input/output error") || refused.getReason() != null, refused.toString());
        Commands.Result ps = Commands.throughMirror(mount.path, "ps", "-eo", "pid,ppid,comm");
        assertEquals(0, ps.exit(), ps.err());
        assertTrue(ps.out().lines().noneMatch(l -> l.trim().matches(forged + "\\s+" + victim + "\\s.*")), "no process shown as the victim's child");
        honestHostsInTime();
    }
}
