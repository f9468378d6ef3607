package io.procsys.fs.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all hosts' process tables may hold together. Each host keeps at most one table
 * (at most {@link io.procsys.net.protocol.ProcessTable#MAX_BYTES}); a table that would pass the
 * total is not kept, and that host's files are read one by one until there is room again.
 */
final class TableBudget {
    /** Default total: 64 MiB, about 150 hosts of a few hundred processes each. */
    static final long DEFAULT_BYTES = 64L << 20;

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    TableBudget(long limit) {
        this.limit = limit;
    }

    boolean reserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) return false;
            if (used.compareAndSet(now, now + bytes)) return true;
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }
}
