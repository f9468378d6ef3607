package io.procsys.fs.cluster;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/** A peer's failed requests and connection attempts, counted by kind: what {@code procsys_peer_errors_total} reports. */
public final class PeerErrors {
    /** Why a request failed, or a connection attempt. */
    public enum Kind {
        /** The deadline passed without an answer. */
        TIMEOUT,
        /** Asked while the host was down or connecting: answered EHOSTUNREACH at once. */
        DOWN,
        /** Asked while the host was late (missed a deadline lately): answered ETIMEDOUT at once (Lateness). */
        LATE,
        /** A connection attempt failed (refused, unreachable, TLS, hello refused or late). */
        REFUSED,
        /** The connection was lost with the request in flight, or the request could not be sent. */
        DISCONNECTED,
        /** The agent answered with an errno (ENOENT for a process that exited, EACCES, ...). */
        REMOTE_ERRNO,
        /** Anything else: an answer of the wrong kind, a bad table, a failure of this side. */
        PROTOCOL;

        private final String label = name().toLowerCase(Locale.ROOT);

        public String label() {
            return label;
        }
    }

    private final LongAdder[] counts = new LongAdder[Kind.values().length];

    PeerErrors() {
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    void count(Kind kind) {
        counts[kind.ordinal()].increment();
    }

    /** Failures of one kind so far. */
    long of(Kind kind) {
        return counts[kind.ordinal()].sum();
    }

    /** The kind of a request's failure, as the client or the deadline reported it. */
    static Kind kindOf(Throwable e) {
        if (e instanceof TimeoutException) return Kind.TIMEOUT;
        if (e instanceof ErrnoException r) {
            // the client's own: the connection went away (AgentClient), or this side gave up
            if (r.errno() == Errno.ENOTCONN) return Kind.DISCONNECTED;
            if (r.errno() == Errno.EHOSTUNREACH) return Kind.DOWN;
            return Kind.REMOTE_ERRNO;
        }
        return Kind.PROTOCOL;
    }
}
