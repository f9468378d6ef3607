package io.procsys.net.agent;

import java.util.concurrent.CompletableFuture;

/**
 * Where an agent's answers to History requests come from: its host's recording (agent
 * {@code --record}), or, on a tree node, the recording of a host below it. Called on the agent's
 * file thread.
 */
public interface HistorySource {
    /**
     * The recorded segments of {@code host} ("" this agent's own) for [{@code fromMillis},
     * {@code toMillis}], as a batch (io.procsys.history.SegmentBatch), or a future failed with an
     * {@code ErrnoException} (ENODATA: nothing recorded; ENOENT: no such host).
     */
    CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis);
}
