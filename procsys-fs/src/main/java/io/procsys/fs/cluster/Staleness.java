package io.procsys.fs.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Which hosts the last rounds (combined files, listings, subtree replies) served from an earlier
 * answer, and which they left out, for `procsys status` and the log: a host that misses a round
 * is served from its last contribution while that is at most {@link #bound} old (STALE, with its
 * age), then left out (LEFT OUT) until it answers again. Each change is logged once.
 */
public final class Staleness {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    /** A report older than this is dropped (the host left, or nothing asks it any more). */
    private static final long FORGET_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** A host served stale or left out: the age of what was served (-1: nothing), what, and when it was last said. */
    private record Report(boolean leftOut, long ageNanos, String what, long atNanos) {}

    /** What `procsys status` shows of a host not answering: STALE (served from an answer {@code ageMillis} old) or LEFT OUT. */
    public record Host(String host, String state, long ageMillis, String what) {}

    public static final String STALE = "STALE", LEFT_OUT = "LEFT OUT";

    private final Duration bound;
    private final LongSupplier clock;
    private final Map<String, Report> reports = new ConcurrentHashMap<>();

    public Staleness(Duration bound) {
        this(bound, System::nanoTime);
    }

    Staleness(Duration bound, LongSupplier clock) {
        this.bound = bound;
        this.clock = clock;
    }

    /** How old a host's last contribution may be and still be served. */
    public Duration bound() {
        return bound;
    }

    /** Whether a contribution {@code ageNanos} old may still be served. */
    boolean servable(long ageNanos) {
        return ageNanos >= 0 && ageNanos <= bound.toNanos();
    }

    /** {@code host} answered this round. */
    void fresh(String host) {
        Report was = reports.remove(host);
        if (was != null) LOG.log(System.Logger.Level.INFO, "host " + host + " answered again: served fresh (" + was.what + ")");
    }

    /** {@code host} missed the round: served from its contribution {@code ageNanos} old. */
    void stale(String host, long ageNanos, String what) {
        Report was = reports.put(host, new Report(false, ageNanos, what, clock.getAsLong()));
        if (was == null || was.leftOut) {
            LOG.log(System.Logger.Level.WARNING, "host " + host + " missed a round (" + what + "): served from its answer of "
                    + TimeUnit.NANOSECONDS.toMillis(ageNanos) + " ms ago, until it is " + bound.toMillis() + " ms old (--stale-ms)");
        }
    }

    /** {@code host} missed the round and had nothing recent enough to serve ({@code ageNanos} old, -1: nothing). */
    void leftOut(String host, long ageNanos, String what) {
        Report was = reports.put(host, new Report(true, ageNanos, what, clock.getAsLong()));
        if (was == null || !was.leftOut) {
            LOG.log(System.Logger.Level.WARNING, "host " + host + " left out (" + what + "): "
                    + (ageNanos < 0 ? "no earlier answer to serve" : "its last answer is " + TimeUnit.NANOSECONDS.toMillis(ageNanos)
                    + " ms old, past --stale-ms " + bound.toMillis()));
        }
    }

    /** The hosts served stale or left out lately, with the age of their last answer now. */
    public List<Host> hosts() {
        long now = clock.getAsLong();
        List<Host> out = new ArrayList<>();
        reports.forEach((host, r) -> {
            if (now - r.atNanos > FORGET_NANOS) {
                reports.remove(host, r);
                return;
            }
            long age = r.ageNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(r.ageNanos + now - r.atNanos);
            boolean leftOut = r.leftOut || age > bound.toMillis();
            out.add(new Host(host, leftOut ? LEFT_OUT : STALE, age, r.what));
        });
        out.sort(java.util.Comparator.comparing(Host::host));
        return out;
    }

    /** The report of one host, or null when it answers. */
    public Host of(String host) {
        for (Host h : hosts()) if (h.host().equals(host)) return h;
        return null;
    }
}
