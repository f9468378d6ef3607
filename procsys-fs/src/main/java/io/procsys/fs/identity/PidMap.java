package io.procsys.fs.identity;

import java.time.Duration;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Cluster-wide process and thread ids (docs/aggregation.md, "Pids").
 *
 * <p>This host's pids (index 0) are unchanged, so {@code self} and the caller's own processes
 * work. A remote process gets a cluster pid in [2^22, 2^30) on first sight of (host, pid, start
 * time), from a counter that runs through that range and wraps, skipping values still mapped: a
 * value comes back only after about 10^9 allocations. ≥ 2^22, because no Linux host hands out a
 * pid that high (a stray kill(2) meets ESRCH, and procsys exec traps exactly that range); < 2^30,
 * because futex and procfs keep the top two bits. Thread ids are mapped the same way, keyed by
 * (host, tid) with the owning process's start time (a thread and a process share the host's pid
 * space; the main thread is its process).
 *
 * <p>Start times: {@link #UNKNOWN} when the caller does not know it (a pid first seen as a
 * ppid, a host without tables); the first known one is then adopted without a new cluster pid. A
 * different known start time for the same (host, pid) is a reused pid: it gets a new cluster pid,
 * and the old one keeps naming (host, pid, old start time), so an action on it is refused (ESRCH)
 * by the start-time check rather than reaching the new process.
 *
 * <p>Bounds: an entry nobody has listed, read or named for {@link #IDLE} is dropped; at most
 * {@link #MAX_ENTRIES} entries, and a share of them per host and per tree ({@link PidQuotas}: a
 * host over its quota, or the tree holding the most of a full map, loses its least recently used
 * entries first); a new process that finds the map full with no group over its share gets no
 * cluster pid (left out of listings, one log line) until idle ones are dropped. A host whose
 * index goes to another host is forgotten whole first ({@link #forgetHost}). Memory:
 * {@link PidEntries}, 40 to 80 bytes per entry. Thread-safe.
 */
public final class PidMap {
    /** {@code PID_MAX_LIMIT} of 64-bit Linux: every host's pid is below it, every remote cluster pid at or above. */
    public static final int HOST_PID_LIMIT = 1 << 22;
    /** Every cluster pid is below it (the {@code pid_max} a cluster view serves). */
    public static final int CLUSTER_PID_LIMIT = 1 << 30;
    /** A start time the caller does not know. */
    public static final long UNKNOWN = -1;
    /** How long an entry stays after its last use. */
    public static final Duration IDLE = Duration.ofMinutes(5);
    /** The most entries the map holds (80 MiB at 40 bytes each). */
    public static final int MAX_ENTRIES = 1 << 21;

    private static final Logger LOG = Logger.getLogger(PidMap.class.getName());

    /** A remote process or thread as its host knows it. */
    public record Local(int hostIndex, int pid, long startTime) {}

    private final PidEntries entries = new PidEntries();
    private final PidQuotas quotas;
    private final LongSupplier nanoClock;
    private final long epochNanos;
    private final int idleSeconds;
    private final int maxEntries;
    private int next = HOST_PID_LIMIT;
    private int sweptAt;
    private boolean fullReported;

    public PidMap() {
        this(System::nanoTime, IDLE, MAX_ENTRIES);
    }

    /** A map on {@code nanoClock}, dropping entries unused for {@code idle}, holding at most {@code maxEntries}. */
    PidMap(LongSupplier nanoClock, Duration idle, int maxEntries) {
        this(nanoClock, idle, maxEntries, PidQuotas.HOST_QUOTA);
    }

    /** As above, at most {@code hostQuota} entries per host. */
    PidMap(LongSupplier nanoClock, Duration idle, int maxEntries, int hostQuota) {
        this.quotas = new PidQuotas(entries, hostQuota, maxEntries);
        if (maxEntries >= CLUSTER_PID_LIMIT - HOST_PID_LIMIT) throw new IllegalArgumentException("more entries than cluster pids");
        this.nanoClock = nanoClock;
        this.epochNanos = nanoClock.getAsLong();
        this.idleSeconds = (int) Math.max(1, idle.toSeconds());
        this.maxEntries = maxEntries;
    }

    /**
     * The cluster pid of {@code pid} of host {@code hostIndex} started at {@code startTime}
     * (field 22 of its stat as the host shows it, or {@link #UNKNOWN}), allocated on first sight;
     * -1 when the map is full. A pid of this host (index 0) is itself.
     */
    public synchronized int clusterPid(int hostIndex, int pid, long startTime) {
        HostIndex.checked(hostIndex);
        if (pid <= 0 || pid >= HOST_PID_LIMIT) throw new IllegalArgumentException("pid " + pid + " outside 1.." + (HOST_PID_LIMIT - 1));
        if (hostIndex == 0) return pid;
        long key = (long) hostIndex << 32 | pid;
        int now = now();
        int entry = entries.current(key);
        if (entry >= 0) {
            long known = entries.startTime(entry);
            if (startTime == UNKNOWN || known == startTime || known == UNKNOWN) {
                if (known == UNKNOWN) entries.setStartTime(entry, startTime);
                entries.use(entry, now);
                return entries.clusterPid(entry);
            }
            entries.detach(entry); // a reused pid: the old cluster pid keeps naming the old process
        }
        quotas.withinHostQuota(hostIndex, now);
        if (now - sweptAt >= Math.max(1, idleSeconds / 8)) dropIdle(now);
        if (entries.size() >= maxEntries) {
            dropIdle(now);
            if (entries.size() >= maxEntries && !quotas.freeFromLargestGroup(now)) {
                if (!fullReported) LOG.warning("the cluster pid map is full (" + maxEntries + " processes and threads): new remote processes are left out until unused ones are forgotten after " + idleSeconds + " s");
                fullReported = true;
                return -1;
            }
        }
        fullReported = false;
        int clusterPid = nextFree();
        entries.add(key, startTime, clusterPid, now);
        return clusterPid;
    }

    /** The process or thread {@code clusterPid} names, or null (a local pid, or none mapped). */
    public synchronized Local local(long clusterPid) {
        if (clusterPid < HOST_PID_LIMIT || clusterPid >= CLUSTER_PID_LIMIT) return null;
        int entry = entries.ofClusterPid((int) clusterPid);
        if (entry < 0) return null;
        entries.use(entry, now());
        long key = entries.key(entry);
        return new Local((int) (key >>> 32), (int) key, entries.startTime(entry));
    }

    /** The start time the current entry of {@code pid} of host {@code hostIndex} holds, or {@link #UNKNOWN}. */
    public synchronized long startTime(int hostIndex, int pid) {
        int entry = entries.current((long) hostIndex << 32 | pid);
        return entry < 0 ? UNKNOWN : entries.startTime(entry);
    }

    /**
     * Drops every entry of host {@code hostIndex} (its index goes to another host: none of its
     * cluster pids may name the new one); a scan only when the host still has entries.
     */
    public synchronized void forgetHost(int hostIndex) {
        if (entries.ofHost(hostIndex) > 0) removeWhere(entry -> entries.host(entry) == hostIndex);
        quotas.forget(hostIndex);
    }

    /** The group of each host index (the peer it is reached through, itself for a peer of the mount's own): what a full map evicts by. */
    public synchronized void groupsBy(java.util.function.IntUnaryOperator groupOf) {
        quotas.groupsBy(groupOf);
    }

    /** Entries evicted so far to keep a host within its quota, or a tree's share of a full map, by the host or tree that caused it. */
    public synchronized List<PidQuotas.Evicted> evictions() {
        return quotas.evictions();
    }

    /** Seconds since the map was made, the clock of {@link PidQuotas.Evicted#lastAtSeconds}. */
    public synchronized int secondsNow() {
        return now();
    }

    /** Processes and threads of host {@code hostIndex} mapped now. */
    public synchronized int sizeOf(int hostIndex) {
        return entries.ofHost(hostIndex);
    }

    /** Processes and threads mapped now. */
    public synchronized int size() {
        return entries.size();
    }

    /** Bytes the map's arrays hold now. */
    public synchronized long bytes() {
        return entries.bytes();
    }

    /** The counter goes on from {@code value} (tests of the wrap-around). */
    synchronized void continueAt(int value) {
        next = value;
    }

    private int nextFree() {
        while (true) {
            int candidate = next;
            next = next + 1 == CLUSTER_PID_LIMIT ? HOST_PID_LIMIT : next + 1;
            if (entries.ofClusterPid(candidate) < 0) return candidate;
        }
    }

    private void dropIdle(int now) {
        sweptAt = now;
        removeWhere(entry -> now - entries.lastUse(entry) >= idleSeconds);
    }

    private void removeWhere(IntPredicate drop) {
        for (int entry = entries.size() - 1; entry >= 0; entry--) { // downwards: the entry moved into a hole was checked
            if (drop.test(entry)) entries.remove(entry);
        }
    }

    /** Seconds since the map was made. */
    private int now() {
        return (int) ((nanoClock.getAsLong() - epochNanos) / 1_000_000_000L);
    }
}
