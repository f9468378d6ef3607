package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A peer's process tables, fetched in one reply: its own table and, from a tree node, the table of
 * every host below it (a {@link TableBundle}; docs/scale.md). One fetch serves the TableBackends of
 * the peer and of every host below it: a request joins the fetch in flight, or takes the last one
 * if it was sent at or after the moment the request's listing began (one reply per node per
 * listing, whatever the number of hosts below it). The last reply is kept until the next one
 * arrives or its window ends.
 */
final class PeerTables {
    /** Asks the peer for its tables (a bundle from a tree node, one table from any other agent; the caller owns the bytes). */
    interface Fetch {
        CompletableFuture<ByteBuf> fetch(boolean threads, int parts);
    }

    /** One fetch: when it was sent, and its parts by path once they came (guarded by PeerTables.this: released once replaced). */
    private static final class Fetched {
        final long sentNanos;
        final CompletableFuture<Map<String, TableBundle.Part>> parts = new CompletableFuture<>();
        long arrivedNanos;
        boolean released;

        Fetched(long sentNanos) {
            this.sentNanos = sentNanos;
        }
    }

    private final Supplier<String> name;
    private final Fetch fetch;
    private final LongSupplier clock;
    private final Duration window;
    /** Told each reply's paths (true: with a table) before anyone takes a part: the hosts below the node join and leave. */
    private final Consumer<Map<String, Boolean>> onPaths;
    private Fetched inFlight, last;

    /** {@code name}: the peer's, for messages (a peer found through DNS is named once connected). */
    PeerTables(Supplier<String> name, Fetch fetch, Duration window, LongSupplier clock, Consumer<Map<String, Boolean>> onPaths) {
        this.name = name;
        this.fetch = fetch;
        this.window = window;
        this.clock = clock;
        this.onPaths = onPaths;
    }

    /**
     * The table of the host at {@code path} ("" the peer itself, hosts/NAME one below it), retained
     * for the caller, from the fetch in flight or one sent at or after {@code sinceNanos}, else a
     * new one; fails with the errno the node gave for that host, or EHOSTUNREACH if it named none.
     */
    CompletableFuture<ByteBuf> table(String path, boolean threads, int parts, long sinceNanos) {
        return fetched(threads, parts, sinceNanos).thenApply(f -> take(f, path));
    }

    /** Every part of a reply sent at or after {@code sinceNanos}, each retained for the caller (a node's own bundle upward). */
    CompletableFuture<List<TableBundle.Part>> all(boolean threads, int parts, long sinceNanos) {
        return fetched(threads, parts, sinceNanos).thenApply(this::takeAll);
    }

    private synchronized CompletableFuture<Fetched> fetched(boolean threads, int parts, long sinceNanos) {
        Fetched f = inFlight != null ? inFlight : last != null && !last.released && last.sentNanos - sinceNanos >= 0 ? last : start(threads, parts);
        return f.parts.thenApply(p -> f);
    }

    /** Sends a fetch (under the lock): its reply is split into parts, their paths told, then it replaces the last one. */
    private Fetched start(boolean threads, int parts) {
        Fetched f = new Fetched(clock.getAsLong());
        inFlight = f;
        fetch.fetch(threads, parts).whenComplete((reply, error) -> {
            Map<String, TableBundle.Part> split = null;
            Throwable failure = error;
            if (error == null) {
                try {
                    split = split(reply);
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (split != null) {
                Map<String, Boolean> paths = new LinkedHashMap<>();
                split.forEach((path, part) -> paths.put(path, part.table() != null));
                onPaths.accept(paths);
            }
            Fetched replaced = null;
            synchronized (this) {
                if (inFlight == f) inFlight = null;
                if (split != null) {
                    replaced = last;
                    last = f;
                    f.arrivedNanos = clock.getAsLong();
                }
            }
            if (replaced != null) release(replaced);
            if (split != null) f.parts.complete(split);
            else f.parts.completeExceptionally(failure);
        });
        return f;
    }

    /** The parts of a reply by path: a bundle's, or one table as the peer's own. */
    private Map<String, TableBundle.Part> split(ByteBuf reply) {
        ByteBuf bytes = Contents.oneDirectRegion(reply); // tables go to fuse_reply_buf as native memory
        try {
            Map<String, TableBundle.Part> parts = new LinkedHashMap<>();
            if (!TableBundle.isBundle(bytes)) {
                parts.put("", TableBundle.Part.of("", bytes.retain()));
                return parts;
            }
            for (TableBundle.Part p : TableBundle.read(bytes)) parts.put(p.path(), p);
            return parts;
        } catch (CorruptedFrameException e) {
            throw new ErrnoException(Errno.EPROTO, "bad reply of tree node " + name.get() + " (" + e.getMessage() + ")");
        } finally {
            bytes.release();
        }
    }

    private synchronized ByteBuf take(Fetched f, String path) {
        if (f.released) throw new ErrnoException(Errno.ETIMEDOUT, "the tables of " + name.get() + " were replaced meanwhile");
        TableBundle.Part p = f.parts.join().get(path);
        if (p == null) throw new ErrnoException(Errno.EHOSTUNREACH, "not in the last reply of tree node " + name.get());
        if (p.table() == null) throw new ErrnoException(p.errno(), p.why().isEmpty() ? "no table from " + name.get() : p.why());
        return p.table().retainedDuplicate();
    }

    /**
     * Every part of the last reply, each retained for the caller, if it arrived at most
     * {@code maxAgeNanos} ago (what a node serves the level above for a peer that missed a
     * round); null otherwise.
     */
    synchronized List<TableBundle.Part> lastIfFresh(long maxAgeNanos) {
        if (last == null || last.released || clock.getAsLong() - last.arrivedNanos > maxAgeNanos) return null;
        return takeAll(last);
    }

    /** How old the last reply is, in ns; -1 when there is none. */
    synchronized long lastAgeNanos() {
        return last == null || last.released ? -1 : clock.getAsLong() - last.arrivedNanos;
    }

    private synchronized List<TableBundle.Part> takeAll(Fetched f) {
        if (f.released) throw new ErrnoException(Errno.ETIMEDOUT, "the tables of " + name.get() + " were replaced meanwhile");
        return f.parts.join().values().stream()
                .map(p -> p.table() == null ? p : TableBundle.Part.of(p.path(), p.table().retainedDuplicate())).toList();
    }

    private synchronized void release(Fetched f) {
        if (f.released) return;
        f.released = true;
        f.parts.join().values().forEach(TableBundle.Part::release);
    }

    /**
     * Drops the last reply once its window is over (and it is past {@code keepNanos}, how long a
     * stale reply may be served), so an idle mount holds none (the TableBackends hold what they took).
     */
    void releaseIfStale(long keepNanos) {
        Fetched stale;
        synchronized (this) {
            if (last == null || clock.getAsLong() - last.arrivedNanos <= Math.max(window.toNanos(), keepNanos)) return;
            stale = last;
            last = null;
        }
        release(stale);
    }
}
