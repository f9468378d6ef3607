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
        };
    }
}
