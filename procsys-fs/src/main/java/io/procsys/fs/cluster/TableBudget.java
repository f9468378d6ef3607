package io.procsys.fs.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The memory all hosts' process tables may hold together. Each host keeps at most one table
 * (at most {@link io.procsys.net.protocol.ProcessTable#MAX_BYTES}); a table that would pass the
 * total is not kept, and that host's files are read one by one until there is room again (and
 * the host's `procsys status` says so). The total grows with the hosts in the view: a fixed one
 * refused most tables past about 150 hosts.
 */
final class TableBudget {
    /** The total for a few hosts: 64 MiB. */
    static final long BASE_BYTES = 64L << 20;
    /** Added per host in the view: 256 KiB, a table of about 200 processes (1 000 hosts: 314 MiB in all). */
    static final long PER_HOST_BYTES = 256L << 10;

    private final LongSupplier limit;
    private final AtomicLong used = new AtomicLong();

    TableBudget(long limit) {
        this(() -> limit);
    }

    /** A total read at each reservation (it follows the hosts as they join and leave). */
    TableBudget(LongSupplier limit) {
        this.limit = limit;
    }

    /**
     * {@link #BASE_BYTES} + {@link #PER_HOST_BYTES} for each of {@code hosts}, at most three
     * quarters of the JVM's direct memory: past it a table is refused (and said so) rather than
     * the receive buffers of every other request running out.
     */
    static TableBudget forHosts(java.util.function.IntSupplier hosts) {
        long ceiling = io.netty.util.internal.PlatformDependent.maxDirectMemory() / 4 * 3;
        return new TableBudget(() -> Math.min(ceiling, BASE_BYTES + PER_HOST_BYTES * hosts.getAsInt()));
    }

    long limit() {
        return limit.getAsLong();
    }

    boolean reserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit.getAsLong()) return false;
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
