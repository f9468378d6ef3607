package io.procsys.fs.history;

import io.procsys.history.StoreReader;

import java.util.concurrent.CompletableFuture;

/** Where a host's recorded past comes from: its agent, or a directory of recordings (its own, or an archive). */
public interface PastSource {
    /**
     * The segments with frames in [{@code fromMillis}, {@code toMillis}] and the last before it;
     * fails with an ErrnoException (ENODATA: nothing recorded then; others: the source's trouble).
     */
    CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis);

    /** Where it comes from, for status. */
    String describe();

    /**
     * How far the host's wall clock, which stamped its frames, is ahead of this host's now, in
     * milliseconds (0: in step, or no way to tell, as for a recording on disk); fails when it cannot
     * be measured this time (asked again at the next fetch).
     */
    default CompletableFuture<Long> clockAheadMillis() {
        return CompletableFuture.completedFuture(0L);
    }

    /** {@code first}, or {@code second} when {@code first} fails (an agent that is down, its archive). */
    static PastSource orElse(PastSource first, PastSource second) {
        return new PastSource() {
            @Override
            public CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis) {
                return first.segments(fromMillis, toMillis).exceptionallyCompose(e -> second.segments(fromMillis, toMillis));
            }

            @Override
            public String describe() {
                return first.describe() + ", else " + second.describe();
            }

            @Override
            public CompletableFuture<Long> clockAheadMillis() {
                return first.clockAheadMillis();
            }
        };
    }
}
