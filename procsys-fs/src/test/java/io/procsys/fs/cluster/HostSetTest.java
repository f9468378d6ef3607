package io.procsys.fs.cluster;

import io.procsys.fs.cluster.ClusterFsTest.FakeHost;
import io.procsys.fs.identity.HostIndex;
import io.procsys.fs.identity.PidMap;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostSetTest {
    static final Duration QUARANTINE = HostSet.QUARANTINE;

    /** A clock the test moves. */
    long nanos = 1_000_000_000L;
    final FakeHost here = new FakeHost("here");
    final HostSet hosts = new HostSet(List.of(here), () -> nanos, QUARANTINE);

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    /** Joins and leaves hosts of fresh names until every index has been handed out once. */
    void useEveryIndex() {
        int joined = 0;
        for (int i = 0; hosts.add(new FakeHost("passer" + i)) < HostIndex.MAX; i++) {
            hosts.remove(hosts.byName("passer" + i));
            joined++;
        }
        hosts.remove(hosts.byName("passer" + joined));
    }

    @Test
    void aHostThatRejoinsUnderItsNameGetsItsIndexBack() {
        int a = hosts.add(new FakeHost("a"));
        int b = hosts.add(new FakeHost("b"));
        assertTrue(hosts.remove(hosts.byName("a")));
        assertNull(hosts.get(a), "gone");
        int c = hosts.add(new FakeHost("c"));
        assertTrue(c != a && c != b, "a new name takes an index never used while there is one: " + c);
        FakeHost again = new FakeHost("a");
        assertEquals(a, hosts.add(again), "the same name, the same index (within the quarantine too)");
        assertSame(again, hosts.get(a));
        assertEquals(List.of(0, a, b, c), hosts.members().stream().map(HostSet.Member::index).toList(), "index order");
    }

    @Test
    void afterEveryIndexWasUsedOnceFreedIndicesAreReusedOldestFirstAfterTheQuarantine() {
        useEveryIndex();
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> hosts.add(new FakeHost("late")));
        System.out.println("refused within the quarantine: " + full.getMessage());
        assertTrue(full.getMessage().contains(HostIndex.MAX + " remote host indices"), full.getMessage());

        advance(QUARANTINE.minusNanos(1));
        assertThrows(IllegalStateException.class, () -> hosts.add(new FakeHost("late")), "one ns short of the quarantine");
        assertEquals(HostIndex.MAX, hosts.add(new FakeHost("passer" + (HostIndex.MAX - 1))), "a name that left still gets its own index back");

        advance(Duration.ofNanos(1));
        assertEquals(1, hosts.add(new FakeHost("late")), "the index freed longest ago");
        assertEquals(2, hosts.add(new FakeHost("later")));
        FakeHost first = new FakeHost("passer0");
        assertEquals(3, hosts.add(first), "the name that had index 1 lost it to another host: it takes the next free one");
    }

    @Test
    void onlyHostsPresentAtOnceFillEveryIndex() {
        for (int i = 1; i <= HostIndex.MAX; i++) assertEquals(i, hosts.add(new FakeHost("h" + i)));
        advance(QUARANTINE.multipliedBy(2));
        assertThrows(IllegalStateException.class, () -> hosts.add(new FakeHost("one-too-many")));
        hosts.remove(hosts.byName("h77"));
        assertThrows(IllegalStateException.class, () -> hosts.add(new FakeHost("one-too-many")), "h77 left just now");
        advance(QUARANTINE);
        assertEquals(77, hosts.add(new FakeHost("one-too-many")));
    }

    @Test
    void aReusedIndexNamesNoProcessOfItsPreviousHost(@TempDir Path local) {
        try (ProcTree tree = ProcTree.open(local)) {
            aReusedIndexNamesNoProcessOfItsPreviousHost(new ClusterFs(tree, hosts, Duration.ZERO));
        }
    }

    private void aReusedIndexNamesNoProcessOfItsPreviousHost(ClusterFs fs) {
        ClusterActions actions = new ClusterActions(hosts, fs.pids());
        FakeHost old = new FakeHost("old");
        int index = hosts.add(old);
        int oldProcess = fs.pids().clusterPid(index, 100, 5_000);
        assertEquals(new ClusterActions.Location(index, "old", 100), actions.which(oldProcess));

        hosts.remove(old);
        assertEquals(Errno.ESRCH, assertThrows(ErrnoException.class, () -> actions.which(oldProcess)).errno(), "its host is gone");
        hosts.add(new FakeHost("old"));
        assertEquals(new ClusterActions.Location(index, "old", 100), actions.which(oldProcess), "back under its name: its cluster pids mean it again");
        hosts.remove(hosts.byName("old"));

        useEveryIndex();
        advance(QUARANTINE);
        assertEquals(index, hosts.add(new FakeHost("new")), "old's index, freed longest ago, goes to another host");
        assertEquals(0, fs.pids().sizeOf(index), "nothing of old is left under it");
        assertNull(fs.pids().local(oldProcess));
        ErrnoException gone = assertThrows(ErrnoException.class, () -> actions.which(oldProcess));
        assertEquals(Errno.ESRCH, gone.errno(), "old's cluster pid names nothing, never new's process 100");
        int newProcess = fs.pids().clusterPid(index, 100, 5_000);
        assertEquals(new ClusterActions.Location(index, "new", 100), actions.which(newProcess));
        assertTrue(newProcess != oldProcess, "a fresh cluster pid for new's process");
        assertEquals(Errno.ESRCH, assertThrows(ErrnoException.class, () -> actions.which(oldProcess)).errno());
    }

    @Test
    void removingATreeNodeFreesTheHostsBelowItAndTheyRejoinUnderTheirIndices() {
        FakeHost node = new FakeHost("rack");
        int rack = hosts.add(node);
        int other = hosts.add(new FakeHost("other"));
        int h1 = hosts.addBelow(rack, new FakeHost("rack/h1"));
        int h2 = hosts.addBelow(rack, new FakeHost("rack/h2"));
        int o1 = hosts.addBelow(other, new FakeHost("other/h1"));
        assertEquals(List.of(h1, h2), hosts.below(rack).stream().map(HostSet.Member::index).toList());
        assertEquals(List.of(0, rack, other), hosts.members().stream().map(HostSet.Member::index).toList(), "hosts below are no members");

        hosts.remove(node);
        assertEquals(List.of(), hosts.below(rack));
        assertNull(hosts.byName("rack/h1"));
        assertNull(hosts.get(h2));
        assertEquals(List.of(o1), hosts.below(other).stream().map(HostSet.Member::index).toList(), "another node's hosts stay");

        FakeHost back = new FakeHost("rack");
        assertEquals(rack, hosts.add(back));
        assertEquals(h2, hosts.addBelow(rack, new FakeHost("rack/h2")));
        assertEquals(List.of(h2), hosts.below(rack).stream().map(HostSet.Member::index).toList());
    }

    @Test
    void aTakenNameIsRefused() {
        hosts.add(new FakeHost("a"));
        assertThrows(IllegalArgumentException.class, () -> hosts.add(new FakeHost("a")));
        assertThrows(IllegalArgumentException.class, () -> hosts.addBelow(99, new FakeHost("x")), "no node of that index");
        assertEquals(PidMap.IDLE, HostSet.QUARANTINE, "the quarantine is the pid map's forgetting time");
    }

    /**
     * A tree node that names new hosts at every reply (issue 36) holds at most its quota of
     * indices, present or within the quarantine: past it, its new hosts take the indices its own
     * hosts freed; other hosts keep joining, and status names the node.
     */
    @Test
    void aTreeNodeThatNamesEverNewHostsStaysWithinItsShareOfIndices() {
        HostSet small = new HostSet(List.of(here), () -> nanos, QUARANTINE, 50);
        int node = small.add(new FakeHost("evil"));
        for (int reply = 0; reply < 20; reply++) {
            for (int i = 0; i < 25; i++) small.addBelow(node, new FakeHost("evil/h" + reply + "-" + i));
            for (int i = 0; i < 25; i++) small.remove(small.byName("evil/h" + reply + "-" + i));
        }
        int honest = small.add(new FakeHost("honest"));
        assertTrue(honest <= 51 + 1, "the indices past the node's share are still free: " + honest);
        for (int i = 0; i < 100; i++) small.add(new FakeHost("joiner" + i));
        HostSet.QuotaUse use = small.quotaUse().getFirst();
        assertEquals("evil", use.node());
        assertTrue(use.reusedEarly() > 0, use.toString());
        for (int i = 0; i < 50; i++) small.addBelow(node, new FakeHost("evil/live" + i));
        assertThrows(IllegalStateException.class, () -> small.addBelow(node, new FakeHost("evil/one-too-many")),
                "with all its indices present, a node gets no more");
        assertEquals(1, small.quotaUse().getFirst().refused());
    }
}
