package io.procsys.fs.identity;

import java.util.Arrays;

/**
 * The storage of {@link PidMap}: one entry per mapped process or thread, in parallel primitive
 * arrays (no object per entry), found by its host key through one open-addressing index and by
 * its cluster pid through another. Per entry: a long key, a long start time, an int cluster pid,
 * an int last use (24 bytes), plus the two int indexes, kept at most half full (16 to 32 bytes).
 * Arrays double and never shrink: 40 to 80 bytes per entry. Entries are kept dense: a removed
 * entry's place takes the last one. Not thread-safe: {@link PidMap} guards it.
 */
final class PidEntries {
    /** Marks the key of an entry whose host pid now belongs to another entry (pid reuse): found by cluster pid only. */
    private static final long DETACHED = 1L << 62;

    private long[] keys = new long[16];
    private long[] startTimes = new long[16];
    private int[] clusterPids = new int[16];
    private int[] lastUse = new int[16];
    private int size;
    /** Entries per host index (detached ones too): a host with none needs no scan to forget. */
    private int[] perHost = new int[16];

    private final Index byKey = new Index() {
        @Override
        long keyOf(int entry) {
            return keys[entry];
        }
    };
    private final Index byClusterPid = new Index() {
        @Override
        long keyOf(int entry) {
            return clusterPids[entry];
        }
    };

    int size() {
        return size;
    }

    /** Entries of host {@code hostIndex}, detached ones included. */
    int ofHost(int hostIndex) {
        return hostIndex < perHost.length ? perHost[hostIndex] : 0;
    }

    /** The host index of {@code entry}. */
    int host(int entry) {
        return (int) (key(entry) >>> 32);
    }

    /** The entry holding {@code key} now, or -1. */
    int current(long key) {
        return byKey.find(key);
    }

    /** The entry of {@code clusterPid}, or -1. */
    int ofClusterPid(int clusterPid) {
        return byClusterPid.find(clusterPid);
    }

    long key(int entry) {
        return keys[entry] & ~DETACHED;
    }

    long startTime(int entry) {
        return startTimes[entry];
    }

    int clusterPid(int entry) {
        return clusterPids[entry];
    }

    int lastUse(int entry) {
        return lastUse[entry];
    }

    void use(int entry, int now) {
        lastUse[entry] = now;
    }

    void setStartTime(int entry, long startTime) {
        startTimes[entry] = startTime;
    }

    /** The entry stops holding its key (another process has its pid now); its cluster pid still finds it. */
    void detach(int entry) {
        byKey.remove(keys[entry]);
        keys[entry] |= DETACHED;
    }

    /** A new entry holding {@code key}. */
    void add(long key, long startTime, int clusterPid, int now) {
        if (size == keys.length) {
            int capacity = size * 2;
            keys = Arrays.copyOf(keys, capacity);
            startTimes = Arrays.copyOf(startTimes, capacity);
            clusterPids = Arrays.copyOf(clusterPids, capacity);
            lastUse = Arrays.copyOf(lastUse, capacity);
        }
        int entry = size++;
        keys[entry] = key;
        startTimes[entry] = startTime;
        clusterPids[entry] = clusterPid;
        lastUse[entry] = now;
        byKey.insert(entry, key);
        byClusterPid.insert(entry, clusterPid);
        int host = host(entry);
        if (host >= perHost.length) perHost = Arrays.copyOf(perHost, Math.max(host + 1, 2 * perHost.length));
        perHost[host]++;
    }

    /** Removes {@code entry}; the last entry moves into its place (entries above it keep theirs). */
    void remove(int entry) {
        if ((keys[entry] & DETACHED) == 0) byKey.remove(keys[entry]);
        byClusterPid.remove(clusterPids[entry]);
        perHost[host(entry)]--;
        int last = --size;
        if (entry == last) return;
        if ((keys[last] & DETACHED) == 0) byKey.renumber(keys[last], last, entry);
        byClusterPid.renumber(clusterPids[last], last, entry);
        keys[entry] = keys[last];
        startTimes[entry] = startTimes[last];
        clusterPids[entry] = clusterPids[last];
        lastUse[entry] = lastUse[last];
    }

    /** Bytes held by the arrays now (entries and both indices). */
    long bytes() {
        return (long) keys.length * (8 + 8 + 4 + 4) + 4L * (byKey.slots.length + byClusterPid.slots.length + perHost.length);
    }

    /**
     * Linear-probing hash index of entries by a long key: slots hold entry + 1 (0 is empty),
     * at most half full; removal shifts the probe chain back (no tombstones).
     */
    private abstract static class Index {
        int[] slots = new int[32];
        private int used;

        abstract long keyOf(int entry);

        private static int hash(long key) {
            key ^= key >>> 33; // murmur3's finaliser: host and pid bits both reach the low bits
            key *= 0xff51afd7ed558ccdL;
            key ^= key >>> 33;
            return (int) key;
        }

        private int slotOf(long key) {
            int mask = slots.length - 1;
            for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
                int held = slots[i];
                if (held == 0 || keyOf(held - 1) == key) return i;
            }
        }

        int find(long key) {
            return slots[slotOf(key)] - 1;
        }

        void insert(int entry, long key) {
            if (2 * (used + 1) > slots.length) grow();
            slots[slotOf(key)] = entry + 1;
            used++;
        }

        /** The entry found under {@code key} is now numbered {@code to}, not {@code from}. */
        void renumber(long key, int from, int to) {
            int i = slotOf(key);
            if (slots[i] == from + 1) slots[i] = to + 1;
        }

        void remove(long key) {
            int mask = slots.length - 1;
            int hole = slotOf(key);
            if (slots[hole] == 0) return;
            slots[hole] = 0;
            used--;
            for (int i = (hole + 1) & mask; slots[i] != 0; i = (i + 1) & mask) {
                int home = hash(keyOf(slots[i] - 1)) & mask;
                // move back an entry whose home is not in (hole, i]: the hole would cut its probe chain
                boolean between = hole <= i ? home > hole && home <= i : home > hole || home <= i;
                if (!between) {
                    slots[hole] = slots[i];
                    slots[i] = 0;
                    hole = i;
                }
            }
        }

        private void grow() {
            int[] old = slots;
            slots = new int[old.length * 2];
            for (int held : old) {
                if (held != 0) slots[slotOf(keyOf(held - 1))] = held;
            }
        }
    }
}
