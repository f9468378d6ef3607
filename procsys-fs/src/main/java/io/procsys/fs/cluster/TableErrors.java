package io.procsys.fs.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One host's process-table errors: listings that left it (or some of its processes) out, tables
 * refused or cut short. A host left out is never silent: `procsys status` shows the last error and
 * its time, {@code procsys_peer_process_table_errors_total} counts them, and the log says it at most
 * once a minute per host (a slow host during a long `top` would otherwise fill it).
 */
final class TableErrors {
    static final Duration LOG_EVERY = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");

    private final String host;
    private final LongSupplier clock;
    private final LongAdder count = new LongAdder();
    private volatile String last = "";
    private volatile Instant lastAt;
    /** Guarded by this: when the log last spoke of this host, and what it has not said since. */
    private long loggedNanos;
    private boolean logged;
    private int unlogged;

    TableErrors(String host, LongSupplier clock) {
        this.host = host;
        this.clock = clock;
    }

    /** Counts and shows {@code why} without a log line (the host below a tree node that said it logs it). */
    void count(String why) {
        count.increment();
        last = why;
        lastAt = Instant.now();
    }

    void record(String why) {
        count(why);
        String line;
        synchronized (this) {
            long now = clock.getAsLong();
            if (logged && now - loggedNanos < LOG_EVERY.toNanos()) {
                unlogged++;
                return;
            }
            line = "host " + host + ": " + why + (unlogged == 0 ? "" : " (and " + unlogged + " more since the last line; one line a minute per host)");
            logged = true;
            loggedNanos = now;
            unlogged = 0;
        }
        LOG.log(System.Logger.Level.WARNING, line);
    }

    long count() {
        return count.sum();
    }

    /** The last error, "" if none. */
    String last() {
        return last;
    }

    /** When the last error happened, null if none. */
    Instant lastAt() {
        return lastAt;
    }
}
