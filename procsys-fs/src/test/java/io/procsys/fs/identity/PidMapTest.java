package io.procsys.fs.identity;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static io.procsys.fs.identity.PidMap.CLUSTER_PID_LIMIT;
import static io.procsys.fs.identity.PidMap.HOST_PID_LIMIT;
import static io.procsys.fs.identity.PidMap.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidMapTest {
    /** A clock the test moves. */
    long nanos = 1_000_000_000L;
    final PidMap map = new PidMap(() -> nanos, Duration.ofMinutes(5), 1000);

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    @Test
    void remotePidsAreAllocatedInTheRemoteRangeAndDecodeBack() {
        Set<Integer> seen = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            int host = 1 + random.nextInt(HostIndex.MAX), pid = 1 + random.nextInt(HOST_PID_LIMIT - 1);
            long start = random.nextInt(1_000_000);
            int clusterPid = map.clusterPid(host, pid, start);
            assertTrue(clusterPid >= HOST_PID_LIMIT && clusterPid < CLUSTER_PID_LIMIT, "in [2^22, 2^30): " + clusterPid);
            assertTrue(seen.add(clusterPid) || map.local(clusterPid).equals(new PidMap.Local(host, pid, start)), "unique per process");
            assertEquals(new PidMap.Local(host, pid, start), map.local(clusterPid));
        }
        assertEquals(1234, map.clusterPid(0, 1234, 99), "this host's pids stay");
        assertNull(map.local(1234), "a local pid is no mapped one");
        assertNull(map.local(HOST_PID_LIMIT + 999_999), "an unmapped value names nothing");
        assertNull(map.local(CLUSTER_PID_LIMIT));
        assertThrows(IllegalArgumentException.class, () -> map.clusterPid(1, HOST_PID_LIMIT, 1));
        assertThrows(IllegalArgumentException.class, () -> map.clusterPid(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> map.clusterPid(HostIndex.MAX + 1, 1, 1));
    }

    @Test
    void aProcessKeepsItsClusterPidAndAReusedPidGetsANewOne() {
        int first = map.clusterPid(3, 500, 1000);
        advance(Duration.ofMinutes(1));
        assertEquals(first, map.clusterPid(3, 500, 1000), "stable while it lives");
        assertEquals(first, map.clusterPid(3, 500, UNKNOWN), "a caller without the start time gets the current one");
        assertNotEquals(first, map.clusterPid(4, 500, 1000), "another host's pid 500 is another process");

        int reused = map.clusterPid(3, 500, 2000);
        assertNotEquals(first, reused, "same pid, new start time: a new process");
        assertEquals(new PidMap.Local(3, 500, 1000), map.local(first), "the old cluster pid still names the old process");
        assertEquals(new PidMap.Local(3, 500, 2000), map.local(reused));
        assertEquals(reused, map.clusterPid(3, 500, UNKNOWN), "(host, pid) now means the new process");
        assertEquals(2000, map.startTime(3, 500));
    }

    @Test
    void anUnknownStartTimeIsAdoptedWithoutANewClusterPid() {
        int parent = map.clusterPid(2, 77, UNKNOWN); // first seen as a ppid
        assertEquals(UNKNOWN, map.local(parent).startTime());
        assertEquals(parent, map.clusterPid(2, 77, 4242), "the listing's start time is adopted");
        assertEquals(4242, map.local(parent).startTime());
        assertNotEquals(parent, map.clusterPid(2, 77, 4343), "and from then on a different one is a reused pid");
    }

    @Test
    void entriesUnusedForTheIdleTimeAreDropped() {
        int kept = map.clusterPid(1, 10, 1), dropped = map.clusterPid(1, 11, 1);
        advance(Duration.ofMinutes(4));
        assertEquals(kept, map.clusterPid(1, 10, 1), "used again");
        advance(Duration.ofMinutes(2));
        map.clusterPid(1, 12, 1); // an allocation sweeps
        assertNull(map.local(dropped), "unused for 6 minutes: forgotten");
        assertEquals(new PidMap.Local(1, 10, 1), map.local(kept), "used 2 minutes ago: kept");
        assertEquals(2, map.size());
        assertNotEquals(dropped, map.clusterPid(1, 11, 1), "a forgotten process seen again gets a fresh cluster pid, not its old value");
    }

    @Test
    void theCounterWrapsAndSkipsValuesStillMapped() {
        int a = map.clusterPid(1, 1, 1), b = map.clusterPid(1, 2, 1);
        assertEquals(HOST_PID_LIMIT, a);
        assertEquals(HOST_PID_LIMIT + 1, b);
        map.continueAt(CLUSTER_PID_LIMIT - 1);
        assertEquals(CLUSTER_PID_LIMIT - 1, map.clusterPid(1, 3, 1), "the last value");
        assertEquals(HOST_PID_LIMIT + 2, map.clusterPid(1, 4, 1), "wrapped, past the two still mapped");
    }

    @Test
    void aFullMapRefusesNewProcessesUntilIdleOnesGo() {
        for (int pid = 1; pid <= 1000; pid++) assertTrue(map.clusterPid(5, pid, pid) > 0);
        assertEquals(-1, map.clusterPid(5, 1001, 1), "past the cap: refused, not grown");
        assertEquals(1000, map.size());
        int known = map.clusterPid(5, 1, 1);
        assertTrue(known > 0, "mapped processes still answer");
        advance(Duration.ofMinutes(6));
        assertTrue(map.clusterPid(5, 1001, 1) > 0, "idle entries dropped make room");
        assertEquals(1, map.size());
    }

    @Test
    void removingEntriesKeepsEveryOtherOneFindable() {
        // many entries, half dropped, the rest must still be found both ways (dense storage moves entries)
        for (int pid = 1; pid <= 900; pid++) map.clusterPid(pid % 7 + 1, pid, pid);
        advance(Duration.ofMinutes(4));
        Set<Integer> kept = new HashSet<>();
        for (int pid = 2; pid <= 900; pid += 2) kept.add(map.clusterPid(pid % 7 + 1, pid, pid));
        advance(Duration.ofMinutes(2));
        map.clusterPid(1, 5000, 1);
        assertEquals(451, map.size());
        for (int pid = 2; pid <= 900; pid += 2) {
            int clusterPid = map.clusterPid(pid % 7 + 1, pid, pid);
            assertTrue(kept.contains(clusterPid), "the same cluster pid for " + pid);
            assertEquals(new PidMap.Local(pid % 7 + 1, pid, pid), map.local(clusterPid));
        }
    }

    @Test
    void bytesPerMappedProcess() {
        PidMap big = new PidMap();
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        int n = 1 << 20;
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) big.clusterPid(1 + i % 1000, 1 + i / 1000, i);
        long allocated = System.nanoTime();
        for (int i = 0; i < n; i++) big.clusterPid(1 + i % 1000, 1 + i / 1000, i); // a listing of known processes
        long listed = System.nanoTime();
        System.gc();
        long after = runtime.totalMemory() - runtime.freeMemory();
        assertEquals(n, big.size());
        System.out.printf("pid map: %d entries, arrays %.1f bytes/entry, heap growth %.1f bytes/entry (crude: Runtime after System.gc); "
                        + "first sight %.0f ns, known process %.0f ns (one run, cold JIT, shared cores)%n",
                n, big.bytes() / (double) n, (after - before) / (double) n, (allocated - started) / (double) n, (listed - allocated) / (double) n);
        assertTrue(big.bytes() / n <= 64, "the arrays stay compact: " + big.bytes() / n + " bytes per entry");
    }

    @Test
    void forgettingAHostDropsEveryEntryOfItAndNoOther() {
        int kept = map.clusterPid(2, 100, 1000);
        int first = map.clusterPid(7, 100, 1000);
        int reused = map.clusterPid(7, 100, 2000); // pid reuse: first stays, detached
        int thread = map.clusterPid(7, 101, 2000);
        int alsoKept = map.clusterPid(8, 100, 1000);
        assertEquals(3, map.sizeOf(7), "detached entries count for their host");

        map.forgetHost(7);
        assertEquals(0, map.sizeOf(7));
        assertNull(map.local(first));
        assertNull(map.local(reused));
        assertNull(map.local(thread));
        assertEquals(UNKNOWN, map.startTime(7, 100));
        assertEquals(new PidMap.Local(2, 100, 1000), map.local(kept), "other hosts keep theirs");
        assertEquals(new PidMap.Local(8, 100, 1000), map.local(alsoKept));
        assertEquals(alsoKept, map.clusterPid(8, 100, 1000));
        assertEquals(2, map.size());
        int again = map.clusterPid(7, 100, 2000);
        assertNotEquals(reused, again, "a process of the index seen afterwards gets a new cluster pid");
        map.forgetHost(9); // none: nothing happens
        assertEquals(3, map.size());
    }

    /**
     * A host that changes its pids at every listing (issue 36) holds at most its quota, its own
     * oldest entries going first; another host's new processes still get cluster pids, and the
     * eviction is counted against the churning host.
     */
    @Test
    void aHostThatChangesItsPidsAtEveryListingStaysWithinItsShare() {
        PidMap shared = new PidMap(() -> nanos, Duration.ofMinutes(5), 1000, 250);
        int pid = 1;
        for (int listing = 0; listing < 40; listing++) {
            for (int i = 0; i < 100; i++) assertTrue(shared.clusterPid(1, pid++, listing) > 0, "its own newest still get one");
            advance(Duration.ofSeconds(1));
        }
        assertTrue(shared.sizeOf(1) <= 250, "within its quota: " + shared.sizeOf(1));
        for (int i = 1; i <= 200; i++) assertTrue(shared.clusterPid(2, i, 7) > 0, "another host's process " + i + " gets a cluster pid");
        assertEquals(1, shared.evictions().stream().filter(e -> e.index() == 1 && !e.group()).count(), shared.evictions().toString());
        assertTrue(shared.evictions().stream().noneMatch(e -> e.index() == 2), "the honest host lost nothing");
        int newest = shared.clusterPid(1, pid - 1, 39);
        assertEquals(new PidMap.Local(1, pid - 1, 39), shared.local(newest), "the churning host's last listing kept its pids");
    }

    /** A tree whose hosts together hold more than their share of a full map loses its own oldest entries, not another host's. */
    @Test
    void aFullMapTakesEntriesBackFromTheTreeHoldingTheMost() {
        PidMap shared = new PidMap(() -> nanos, Duration.ofMinutes(5), 1000, 1000);
        shared.groupsBy(host -> host >= 10 ? 10 : host); // hosts 10.. are below tree node 10
        for (int i = 1; i <= 100; i++) shared.clusterPid(2, i, 1);
        advance(Duration.ofSeconds(1));
        int pid = 1;
        for (int host = 10; host < 20; host++) for (int i = 0; i < 90; i++) shared.clusterPid(host, pid++, 1);
        assertEquals(1000, shared.size(), "full");
        advance(Duration.ofSeconds(1));
        assertTrue(shared.clusterPid(3, 1, 1) > 0, "a new host's process still gets a cluster pid");
        assertEquals(100, shared.sizeOf(2), "the small host kept everything");
        assertEquals(1, shared.evictions().stream().filter(e -> e.index() == 10 && e.group()).count(), shared.evictions().toString());
    }
}
