package io.procsys.fs.cluster;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One question to several hosts with one bound for them all: a combined file, a listing, a tree
 * node's subtree reply. Whoever is not in by the bound is served from its last contribution
 * (within --stale-ms) or left out, by the caller; a late host (Backend.late) is asked but not
 * waited for at all.
 */
final class Round {
    private Round() {}

    /** Completes, never exceptionally, once each of {@code waited} is done, or after {@code bound}, whichever comes first. */
    static CompletableFuture<Void> settle(List<? extends CompletableFuture<?>> waited, Duration bound) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        CompletableFuture.allOf(waited.toArray(CompletableFuture[]::new)).whenComplete((done, error) -> settled.complete(null));
        if (!settled.isDone()) settled.completeOnTimeout(null, Math.max(1, bound.toMillis()), TimeUnit.MILLISECONDS);
        return settled;
    }

    /** Whether {@code answer} came, in time for a round that settled. */
    static boolean came(CompletableFuture<?> answer) {
        return answer.isDone() && !answer.isCompletedExceptionally();
    }

    /**
     * Whether a request's failure means the host did not answer (down, late, cut off), rather
     * than answering with an errno (a file it does not have): only the first is served stale.
     */
    static boolean unanswered(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        return !(e instanceof ErrnoException r) || r.errno() == Errno.ETIMEDOUT || r.errno() == Errno.EHOSTUNREACH || r.errno() == Errno.ENOTCONN;
    }
}
