package io.procsys.net.agent;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where an agent's answers to History requests come from: its host's recording (agent
 * {@code --record}), the hosts archived to it ({@code --accept-archives}), or, on a tree node,
 * the hosts below it. Called on the agent's file thread.
 */
public interface HistorySource {
    /**
     * The recorded segments of {@code host} ("" this agent's own) for [{@code fromMillis},
     * {@code toMillis}], as a batch (io.procsys.history.SegmentBatch), or a future failed with an
     * {@code ErrnoException} (ENODATA: nothing recorded; ENOENT: no such host).
     */
    CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis);

    /**
     * The hosts other than the agent's own this source answers for (HistoryHosts, protocol 10):
     * node names, at most io.procsys.net.protocol.HistoryHostList.MAX_HOSTS. None by default.
     */
    default CompletableFuture<List<String>> hosts() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * This source, then {@code next} for a host this one fails for: the first error that is not
     * ENOENT is kept (a host below that timed out is not reported as unknown because the next
     * source has no such host). The listing is both, without repeats, this one's first.
     */
    default HistorySource orElse(HistorySource next) {
        HistorySource first = this;
        return new HistorySource() {
            @Override
            public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
                return first.history(host, fromMillis, toMillis).exceptionallyCompose(e -> next.history(host, fromMillis, toMillis)
                        .exceptionallyCompose(later -> CompletableFuture.failedFuture(unknown(e) ? later : e)));
            }

            @Override
            public CompletableFuture<List<String>> hosts() {
                return first.hosts().exceptionally(e -> List.of()).thenCombine(next.hosts().exceptionally(e -> List.of()), (a, b) -> {
                    LinkedHashSet<String> both = new LinkedHashSet<>(a);
                    both.addAll(b);
                    List<String> out = new ArrayList<>(both);
                    return List.copyOf(out.subList(0, Math.min(out.size(), io.procsys.net.protocol.HistoryHostList.MAX_HOSTS)));
                });
            }
        };
    }

    private static boolean unknown(Throwable e) {
        return ErrnoException.unwrapped(e) instanceof ErrnoException r && r.errno() == Errno.ENOENT;
    }
}
