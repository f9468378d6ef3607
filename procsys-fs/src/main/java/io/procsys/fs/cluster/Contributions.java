package io.procsys.fs.cluster;

import io.procsys.fs.combine.HostPart;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Each host's last copy of each combined file, kept for a while so that a host that misses a
 * round is served from it (Staleness decides how old may be served). Bounded: a copy older than
 * the staleness bound is dropped (swept at most once a second), and past {@link #MAX_BYTES} in
 * all a new copy is not kept (that host is then left out when it misses a round). Keyed by the
 * host's backend, not only its index, so a host that takes a freed index never shows another's.
 */
final class Contributions {
    /** The most text kept in all (chars, one byte each in a Latin-1 string). */
    static final long MAX_BYTES = 32L << 20;

    private record Key(String path, int index) {}

    /** A host's copy of a file and when it arrived. */
    record Copy(Backend host, HostPart part, long arrivedNanos) {}

    private final Map<Key, Copy> copies = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long keepNanos;
    private final long maxBytes;
    private final LongSupplier clock;
    private volatile long sweptNanos;

    Contributions(long keepNanos, long maxBytes, LongSupplier clock) {
        this.keepNanos = keepNanos;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.sweptNanos = clock.getAsLong();
    }

    /** {@code host}'s copy of {@code path} came: it replaces the last one (unless over the bound). */
    void arrived(String path, int index, Backend host, HostPart part) {
        if (keepNanos <= 0) return;
        sweepNow();
        Key key = new Key(path, index);
        Copy next = new Copy(host, part, clock.getAsLong());
        Copy old = copies.get(key);
        long more = part.text().length() - (old == null ? 0 : old.part.text().length());
        if (bytes.get() + more > maxBytes) {
            if (old != null && copies.remove(key, old)) bytes.addAndGet(-old.part.text().length());
            return;
        }
        Copy replaced = copies.put(key, next);
        bytes.addAndGet(part.text().length() - (replaced == null ? 0 : replaced.part.text().length()));
    }

    /** The last copy of {@code path} from {@code host} (at {@code index}), or null. */
    Copy last(String path, int index, Backend host) {
        Copy c = copies.get(new Key(path, index));
        return c == null || c.host != host ? null : c;
    }

    /** Text kept now. */
    long bytes() {
        return bytes.get();
    }

    /** Drops copies past the keeping time, at most once a second. */
    private void sweepNow() {
        long now = clock.getAsLong();
        if (now - sweptNanos < 1_000_000_000L) return;
        sweptNanos = now;
        copies.forEach((key, copy) -> {
            if (now - copy.arrivedNanos > keepNanos && copies.remove(key, copy)) bytes.addAndGet(-copy.part.text().length());
        });
    }
}
