package io.procsys.fs.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether a peer answers in time. A request that timed out makes it late; an answer in time
 * makes it on time again (a reply after its request's deadline does not: a host that always
 * answers late stays late). A late host is not waited for: a combined file, a listing or a
 * subtree reply goes on without it (its last contribution within --stale-ms, or nothing), and a
 * request for one of its files fails at once with ETIMEDOUT, except one per deadline period,
 * which is sent and waits: nobody waits on a late host more than once a period, and the first
 * answer in time ends it.
 */
final class Lateness {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final Supplier<String> name;
    private final long periodNanos;
    private final LongSupplier clock;
    /** When the host became late, or 0 while it is on time. */
    private final AtomicLong lateSince = new AtomicLong();
    /** When a request of the late host was last let through to wait. */
    private final AtomicLong lastProbe = new AtomicLong();

    Lateness(Supplier<String> name, long periodNanos, LongSupplier clock) {
        this.name = name;
        this.periodNanos = periodNanos;
        this.clock = clock;
    }

    /** A request was answered in time. */
    void answered() {
        long since = lateSince.getAndSet(0);
        if (since != 0) {
            LOG.log(System.Logger.Level.INFO, "host " + name.get() + " answers in time again, after "
                    + TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - since) + " ms late");
        }
    }

    /** A request's deadline passed without an answer. */
    void missed() {
        long now = clock.getAsLong();
        if (lateSince.compareAndSet(0, now == 0 ? 1 : now)) {
            lastProbe.set(now);
            LOG.log(System.Logger.Level.WARNING, "host " + name.get() + " missed its deadline: it is not waited for until it answers in time"
                    + " (one request a deadline period still waits); its last contributions are served up to --stale-ms");
        }
    }

    boolean late() {
        return lateSince.get() != 0;
    }

    /** How long the host has been late, in ms (0 while on time). */
    long lateMillis() {
        long since = lateSince.get();
        return since == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - since);
    }

    /**
     * Whether a caller may wait for the host now: it is on time, or it is late and no request
     * waited within the last deadline period (this caller's is then the one that does).
     */
    boolean mayWait() {
        if (lateSince.get() == 0) return true;
        long now = clock.getAsLong();
        long probe = lastProbe.get();
        return now - probe >= periodNanos && lastProbe.compareAndSet(probe, now);
    }
}
