package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.procsys.posix.Errno;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Process tables shared between requests for the same table that come at once (two mounts, a hub
 * and a mesh node asking one agent): a request joins the build in flight, or takes a table whose
 * build ended at most {@link #SHARE_NANOS} before the request arrived; never an older one. Each
 * taker gets its own duplicate of the bytes; the shared reference is dropped when the window
 * ends, so an idle agent holds no table.
 */
final class SharedTables {
    /** How long after its build a table is still given to a new request. */
    static final long SHARE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** What a table is built of: requests with the same key get the same bytes. */
    record Key(String path, boolean threads, int parts) {}

    /** A built table (the caller owns {@code table}), or the errno its build failed with. */
    record Built(ByteBuf table, int errno) {}

    /** One build: its result once done, and the requests that joined it while it ran (guarded by SharedTables.this). */
    private static final class Build {
        Built result;
        long doneNanos;
        final List<CompletableFuture<Built>> joined = new ArrayList<>();
    }

    private final Map<Key, Build> builds = new HashMap<>();
    private final LongSupplier clock;
    /** Where the shared reference is dropped when its window ends. */
    private final ScheduledExecutorService expiry;
    private final Runnable onShared;

    /** {@code onShared} counts each request answered with another's table. */
    SharedTables(LongSupplier clock, ScheduledExecutorService expiry, Runnable onShared) {
        this.clock = clock;
        this.expiry = expiry;
        this.onShared = onShared;
    }

    /**
     * The table for {@code key} for a request that arrived at {@code arrivedNanos}: one in flight or
     * built within the window, else a new one from {@code build} (run on this thread).
     */
    Built take(Key key, long arrivedNanos, Supplier<Built> build) {
        CompletableFuture<Built> joined = null;
        Build mine;
        synchronized (this) {
            Build current = builds.get(key);
            if (current != null && current.result == null) {
                joined = new CompletableFuture<>();
                current.joined.add(joined);
                mine = null;
            } else if (current != null && current.doneNanos - arrivedNanos >= -SHARE_NANOS) {
                onShared.run();
                return copy(current.result);
            } else {
                if (current != null) drop(key, current);
                mine = new Build();
                builds.put(key, mine);
            }
        }
        if (joined != null) {
            onShared.run();
            return joined.join();
        }
        Built result;
        try {
            result = build.get();
        } catch (RuntimeException | Error e) {
            finish(key, mine, new Built(null, Errno.EIO));
            throw e;
        }
        return finish(key, mine, result);
    }

    /** Publishes a build's result to those who joined it, keeps it for the window, and returns the builder's copy. */
    private Built finish(Key key, Build build, Built result) {
        synchronized (this) {
            build.result = result;
            build.doneNanos = clock.getAsLong();
            for (CompletableFuture<Built> j : build.joined) j.complete(copy(result));
            build.joined.clear();
            if (result.table() == null) {
                builds.remove(key, build);
                return result;
            }
        }
        try {
            expiry.schedule(() -> expire(key, build), SHARE_NANOS + TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) { // the agent is closing: nothing to share with
            expire(key, build);
        }
        return copy(result);
    }

    private synchronized void expire(Key key, Build build) {
        if (builds.get(key) == build) drop(key, build);
    }

    private void drop(Key key, Build build) {
        builds.remove(key);
        if (build.result != null && build.result.table() != null) build.result.table().release();
    }

    private static Built copy(Built result) {
        return result.table() == null ? result : new Built(result.table().retainedDuplicate(), 0);
    }

    /** How many tables are held for sharing now (for tests). */
    synchronized int held() {
        return builds.size();
    }
}
