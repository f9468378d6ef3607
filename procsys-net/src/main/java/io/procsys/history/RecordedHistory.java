package io.procsys.history;

import io.procsys.net.agent.HistorySource;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * An agent's answers to History requests, from a directory of recordings, one subdirectory per
 * host ({@code --record DIR}, or an archive that agents push to): "" is the agent's own host,
 * any other name a host recorded there (an archived host, after it is gone).
 */
public final class RecordedHistory implements HistorySource {
    /** Most bytes of blocks in one answer (under the client's frame bound). */
    public static final int MAX_BYTES = 16 << 20;
    /** What a host directory may be called: a node name. */
    static final String HOST_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private final Path root;
    private final String own;

    public RecordedHistory(Path root, String own) {
        this.root = root;
        this.own = own;
    }

    @Override
    public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
        String name = host.isEmpty() ? own : host;
        if (!name.matches(HOST_NAME)) return failed(Errno.ENOENT, "no host " + host);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) return failed(Errno.ENOENT, "no recording of " + name);
        try {
            StoreReader.Found found = new StoreReader(dir).segments(fromMillis, toMillis, MAX_BYTES);
            if (found.segments().isEmpty()) return failed(Errno.ENODATA, "nothing recorded of " + name + " then");
            return CompletableFuture.completedFuture(SegmentBatch.write(found));
        } catch (IOException | java.io.UncheckedIOException e) {
            return failed(Errno.EIO, "reading the recording of " + name + ": " + e.getMessage());
        }
    }

    private static CompletableFuture<byte[]> failed(int errno, String why) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, why));
    }
}
