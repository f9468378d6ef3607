package io.procsys.daemon;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What one local user may ask of a mount's control socket (0666 with allow_other): connections open
 * at once, requests a second (a burst of as many), and the time a request may take to arrive, whole
 * (a byte now and then does not keep a connection). Root is not bounded: its `which`, `kill` and the
 * exec supervisor's calls are answered whatever other users do.
 */
public final class ControlBounds {
    /** The bounds; 0 or less: that one is off. */
    public record Limits(int connectionsPerUser, double requestsPerSecond, Duration requestDeadline) {
        public static final Limits DEFAULT = new Limits(16, 20, Duration.ofSeconds(2));
    }

    private final Limits limits;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Integer, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Bucket> rates = new ConcurrentHashMap<>();
    /** Connections and requests refused so far. */
    final LongAdder refusedConnections = new LongAdder(), refusedRequests = new LongAdder();

    public ControlBounds(Limits limits) {
        this(limits, System::nanoTime);
    }

    ControlBounds(Limits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
    }

    Limits limits() {
        return limits;
    }

    /** Takes a connection of {@code uid}: false past its bound (nothing taken). */
    boolean connect(int uid) {
        if (uid == 0 || limits.connectionsPerUser() <= 0) return true;
        AtomicInteger open = connections.computeIfAbsent(uid, u -> new AtomicInteger());
        if (open.incrementAndGet() <= limits.connectionsPerUser()) return true;
        open.decrementAndGet();
        refusedConnections.increment();
        return false;
    }

    /** A connection {@link #connect} took has closed. */
    void disconnect(int uid) {
        if (uid == 0 || limits.connectionsPerUser() <= 0) return;
        AtomicInteger open = connections.get(uid);
        if (open != null && open.decrementAndGet() <= 0) connections.remove(uid, open);
    }

    /** Takes a request of {@code uid} from its rate: false past it. */
    boolean request(int uid) {
        if (uid == 0 || limits.requestsPerSecond() <= 0) return true;
        if (rates.size() > 4096) rates.clear(); // only users with a full bucket lose anything
        if (rates.computeIfAbsent(uid, u -> new Bucket(limits.requestsPerSecond(), clock.getAsLong())).take(clock.getAsLong())) return true;
        refusedRequests.increment();
        return false;
    }

    /** A token bucket: {@code rate} a second, as many at once. */
    private static final class Bucket {
        private final double rate;
        private double tokens;
        private long lastNanos;

        Bucket(double rate, long now) {
            this.rate = rate;
            this.tokens = rate;
            this.lastNanos = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(rate, tokens + (now - lastNanos) / 1e9 * rate);
            lastNanos = now;
            if (tokens < 1) return false;
            tokens--;
            return true;
        }
    }
}
