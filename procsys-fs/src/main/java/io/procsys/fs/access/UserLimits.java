package io.procsys.fs.access;

import io.procsys.posix.Errno;
import io.procsys.posix.ThreadCredentials;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one local user may hold of a mount's daemon at once (docs/security.md, "Bounds"): open
 * handles (each holds a descriptor of its source and a rendering), bytes of renderings, and
 * requests in flight to other hosts. Past a bound the request is refused (EMFILE for handles,
 * EAGAIN for the others), for that user only; root is not bounded, nor the user the daemon runs as
 * (a mount without allow_other serves that user alone). Counted per uid, as the
 * kernel counts a user's processes.
 */
public final class UserLimits {
    /** The bounds; 0 or less: that one is off. */
    public record Limits(int handles, long bytes, int remoteRequests) {
        public static final Limits DEFAULT = new Limits(1024, 64L << 20, 128);
        public static final Limits NONE = new Limits(0, 0, 0);
    }

    private final Limits limits;
    private final ConcurrentHashMap<Integer, Usage> byUid = new ConcurrentHashMap<>();
    /** Refusals so far, for status and metrics. */
    public final LongAdder refusedHandles = new LongAdder(), refusedBytes = new LongAdder(), refusedRemote = new LongAdder();

    public UserLimits(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** What {@code reader}'s user holds now (root, and the daemon's own user: an account that is never refused). */
    public Usage of(Reader reader) {
        if (reader.privileged() || reader.uid() == ThreadCredentials.ownUid()) return UNBOUNDED;
        return byUid.computeIfAbsent(reader.uid(), uid -> new Usage());
    }

    /** An account nothing bounds (root's, and a mount's own requests). */
    public static final Usage UNBOUNDED = new UserLimits(Limits.NONE).new Usage();

    /** One user's handles, bytes and remote requests. */
    public final class Usage {
        private final AtomicInteger handles = new AtomicInteger(), remote = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();

        /** Takes a handle: 0, or EMFILE past the bound. */
        public int openHandle() {
            if (take(handles, limits.handles())) return 0;
            refusedHandles.increment();
            return Errno.EMFILE;
        }

        /** Whether the user holds all the bytes it may: a new open would only be refused after its rendering. */
        public boolean bytesFull() {
            return limits.bytes() > 0 && bytes.get() >= limits.bytes();
        }

        public void closeHandle() {
            handles.decrementAndGet();
        }

        /** Adds {@code delta} bytes held (negative: given back, always allowed): false, and nothing added, past the bound. */
        public boolean charge(long delta) {
            if (delta <= 0 || limits.bytes() <= 0) {
                bytes.addAndGet(delta);
                return true;
            }
            long now;
            do {
                now = bytes.get();
                if (now + delta > limits.bytes()) {
                    refusedBytes.increment();
                    return false;
                }
            } while (!bytes.compareAndSet(now, now + delta));
            return true;
        }

        /** Takes a request to another host: 0, or EAGAIN past the bound. */
        public int startRemote() {
            if (take(remote, limits.remoteRequests())) return 0;
            refusedRemote.increment();
            return Errno.EAGAIN;
        }

        public void endRemote() {
            remote.decrementAndGet();
        }

        public int handles() {
            return handles.get();
        }

        public long bytes() {
            return bytes.get();
        }

        public int remoteRequests() {
            return remote.get();
        }
    }

    private static boolean take(AtomicInteger counter, int bound) {
        if (bound <= 0) {
            counter.incrementAndGet();
            return true;
        }
        int now;
        do {
            now = counter.get();
            if (now >= bound) return false;
        } while (!counter.compareAndSet(now, now + 1));
        return true;
    }
}
