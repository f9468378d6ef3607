package io.procsys.fs.identity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * Each host's and each tree's share of the {@link PidMap} (issue 36): a host that changes its
 * pids at every listing would otherwise fill the map in a few listings, and then no other host's
 * new process would get a cluster pid. A host holds at most {@code hostQuota} entries: past it,
 * its own least recently used quarter goes. When the whole map is full, the group (a peer and the
 * hosts below it, when it is a tree node) holding the most entries loses its least recently used
 * eighth, if it holds more than an equal share; otherwise nothing goes and the new process gets
 * no cluster pid. Each eviction is counted against the host or group that caused it, for status.
 * Not thread-safe: PidMap guards it.
 */
public final class PidQuotas {
    /** The most entries one host may hold: a host with a quarter million processes and threads listed at once. */
    static final int HOST_QUOTA = 1 << 18;

    /** Evictions caused by one host or group: how many entries went, how many times, the last at. */
    public record Evicted(int index, boolean group, long entries, long times, int lastAtSeconds) {}

    private final PidEntries entries;
    private final int hostQuota;
    private final int maxEntries;
    private IntUnaryOperator groupOf = IntUnaryOperator.identity();
    private final Map<Long, Evicted> evicted = new TreeMap<>();

    PidQuotas(PidEntries entries, int hostQuota, int maxEntries) {
        this.entries = entries;
        this.hostQuota = hostQuota;
        this.maxEntries = maxEntries;
    }

    /** The group of each host index: the peer it is reached through (itself for a peer of the mount's own). */
    void groupsBy(IntUnaryOperator groupOf) {
        this.groupOf = groupOf;
    }

    /** Makes room for one more entry of {@code host} within its quota: its least recently used quarter goes when it is at it. */
    void withinHostQuota(int host, int now) {
        if (entries.ofHost(host) < hostQuota) return;
        evict(entry -> entries.host(entry) == host, Math.max(1, hostQuota / 4), host, false, now);
    }

    /**
     * Frees entries of the group holding the most, in a full map, if it holds more than an equal
     * share of it (the offender goes first); false when no group does (nothing goes).
     */
    boolean freeFromLargestGroup(int now) {
        int[] perGroup = new int[HostIndex.MAX + 1];
        int groups = 0, largest = -1;
        for (int host = 1; host <= HostIndex.MAX; host++) {
            int n = entries.ofHost(host);
            if (n == 0) continue;
            int g = groupOf.applyAsInt(host);
            if (g < 1 || g > HostIndex.MAX) g = host;
            if (perGroup[g] == 0) groups++;
            perGroup[g] += n;
            if (largest < 0 || perGroup[g] > perGroup[largest]) largest = g;
        }
        if (largest < 0 || perGroup[largest] <= maxEntries / Math.max(1, groups)) return false;
        int group = largest;
        evict(entry -> groupOf(entries.host(entry)) == group, Math.max(1, perGroup[group] / 8), group, true, now);
        return true;
    }

    private int groupOf(int host) {
        int g = groupOf.applyAsInt(host);
        return g < 1 || g > HostIndex.MAX ? host : g;
    }

    /** Removes the {@code count} least recently used entries matching {@code which}, counted against {@code offender}. */
    private void evict(IntPredicate which, int count, int offender, boolean group, int now) {
        long[] byUse = new long[Math.min(entries.size(), Math.max(count, hostQuota))];
        int n = 0;
        for (int entry = 0; entry < entries.size(); entry++) {
            if (!which.test(entry)) continue;
            if (n == byUse.length) byUse = Arrays.copyOf(byUse, 2 * n);
            byUse[n++] = (long) entries.lastUse(entry) << 32 | entry; // lastUse ≥ 0: sorts by last use, then entry
        }
        Arrays.sort(byUse, 0, n);
        int gone = Math.min(count, n);
        int[] victims = new int[gone];
        for (int i = 0; i < gone; i++) victims[i] = (int) byUse[i];
        Arrays.sort(victims);
        for (int i = gone - 1; i >= 0; i--) entries.remove(victims[i]); // downwards: a removal moves the last entry into its hole
        long key = (group ? 1L << 32 : 0) | offender;
        Evicted was = evicted.get(key);
        evicted.put(key, new Evicted(offender, group, (was == null ? 0 : was.entries()) + gone, (was == null ? 0 : was.times()) + 1, now));
    }

    /** The evictions so far, by host (or group) that caused them. */
    List<Evicted> evictions() {
        return new ArrayList<>(evicted.values());
    }

    /** A host index goes to another host: its record goes with it. */
    void forget(int index) {
        evicted.remove((long) index);
        evicted.remove(1L << 32 | index);
    }
}
