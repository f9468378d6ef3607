package io.procsys.fs.pace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Paces the CPU times (utime, stime) a view serves of remote processes and threads, so that no
 * reader computes a rate a host cannot have. Tools divide a counter's step by their own wall time
 * between two reads (top, pidstat, htop); a host served from its last table while it was late
 * (--stale-ms), then from a fresh one, would put seconds of CPU into one of their samples (a JVM
 * of a 1-vCPU guest at 300 % in top). Here the served times advance by at most
 * {@code min(host CPUs, threads) × USER_HZ} ticks per second of this host's clock since the last
 * value served (one CPU for a thread), the rest carried into later reads; they never go back.
 * A read within the bound is served as the host wrote it, untouched.
 * <p>
 * Per process (and per thread) read: one entry, keyed by host, id and start time, forgotten
 * {@link #IDLE_NANOS} after its last read; at most {@link #MAX_ENTRIES} (past it, new ids are
 * served unpaced, said once in the log).
 */
public final class CpuPacing {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.pace");
    /** USER_HZ: /proc counts CPU times in these ticks on every Linux host. */
    static final long TICKS_PER_SECOND = 100;
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final int MAX_ENTRIES = 1 << 18;

    /** What a reader was last served of one process or thread (guarded by itself). */
    private static final class Served {
        final long startTime;
        long utime, stime, atNanos;
        int threads;
        /** The fraction of a tick allowed but not served at the last paced read. */
        double carried;

        Served(long startTime) {
            this.startTime = startTime;
            this.atNanos = Long.MIN_VALUE; // not served yet
        }
    }

    private final Map<Long, Served> served = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private volatile long sweptNanos;
    private volatile boolean fullLogged;

    public CpuPacing() {
        this(System::nanoTime);
    }

    public CpuPacing(LongSupplier clock) {
        this.clock = clock;
        this.sweptNanos = clock.getAsLong();
    }

    /**
     * {@code text}, a [pid]/stat ({@code thread}: a task/[tid]/stat) of host {@code hostIndex}
     * as it wrote it, with utime and stime paced; {@code cpus}: the host's CPUs (0: unknown, the
     * process's threads bound it alone). Text that does not parse is returned as it is.
     */
    public String paced(String text, int hostIndex, boolean thread, int cpus) {
        StatTimes times = StatTimes.of(text);
        if (times == null) return text;
        long now = clock.getAsLong();
        Served s = entry(key(hostIndex, thread, times.id()), times.startTime(), now);
        if (s == null) return text;
        long utime, stime;
        synchronized (s) {
            if (s.atNanos == Long.MIN_VALUE) { // first read: served as it is
                s.utime = times.utime();
                s.stime = times.stime();
            } else {
                int parallel = thread ? 1 : Math.max(1, Math.max(s.threads, times.threads()));
                if (cpus > 0) parallel = Math.min(parallel, cpus);
                long elapsed = Math.max(0, now - s.atNanos); // two readers at once: the later clock may lock first
                step(s, times, parallel * TICKS_PER_SECOND * (double) elapsed / TimeUnit.SECONDS.toNanos(1));
            }
            s.threads = times.threads();
            s.atNanos = Math.max(s.atNanos, now);
            utime = s.utime;
            stime = s.stime;
        }
        return utime == times.utime() && stime == times.stime() ? text : times.withTimes(text, utime, stime);
    }

    /**
     * Moves {@code s} towards {@code times} by at most {@code allowed} ticks (plus the fraction
     * carried), split between utime and stime in proportion to what each is behind; never back.
     */
    private static void step(Served s, StatTimes times, double allowed) {
        long behindU = Math.max(0, times.utime() - s.utime), behindS = Math.max(0, times.stime() - s.stime);
        double may = allowed + s.carried;
        if (behindU + behindS <= may) {
            s.utime += behindU;
            s.stime += behindS;
            s.carried = 0;
            return;
        }
        long give = (long) may;
        s.carried = may - give;
        long giveU = behindU * give / (behindU + behindS);
        s.utime += giveU;
        s.stime += Math.min(behindS, give - giveU);
    }

    /** The entry of {@code key} for a process started at {@code startTime} (a new one for another process), or null when full. */
    private Served entry(long key, long startTime, long now) {
        Served s = served.get(key);
        if (s != null && s.startTime == startTime) return s;
        sweep(now);
        if (s == null && served.size() >= MAX_ENTRIES) {
            if (!fullLogged) {
                fullLogged = true;
                LOG.log(System.Logger.Level.WARNING, MAX_ENTRIES + " processes paced: CPU times of further ones are served unpaced");
            }
            return null;
        }
        return served.compute(key, (k, old) -> old != null && old.startTime == startTime ? old : new Served(startTime));
    }

    /** Forgets entries not read for {@link #IDLE_NANOS} (gone processes), at most every IDLE/8. */
    private void sweep(long now) {
        if (now - sweptNanos < IDLE_NANOS / 8) return;
        sweptNanos = now;
        served.values().removeIf(s -> {
            synchronized (s) {
                return s.atNanos != Long.MIN_VALUE && now - s.atNanos > IDLE_NANOS;
            }
        });
    }

    /** How many processes and threads are paced now. */
    public int size() {
        return served.size();
    }

    private static long key(int hostIndex, boolean thread, int id) {
        return (long) hostIndex << 33 | (thread ? 1L << 32 : 0) | (id & 0xffff_ffffL);
    }
}
