package io.procsys.fs.history;

import io.procsys.history.StoreReader;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A host's recording read from a directory on this host (mount --history DIR): its own, or one an agent archived to. */
public final class StorePast implements PastSource {
    private final StoreReader reader;
    private final Executor reads;

    /** {@code reads}: where the files are read (never a FUSE thread). */
    public StorePast(Path hostDirectory, Executor reads) {
        this.reader = new StoreReader(hostDirectory);
        this.reads = reads;
    }

    @Override
    public CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                StoreReader.Found found = reader.segments(fromMillis, toMillis, io.procsys.history.RecordedHistory.MAX_BYTES);
                if (found.segments().isEmpty()) throw new ErrnoException(Errno.ENODATA, "nothing recorded in " + reader.directory() + " then");
                return found;
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new ErrnoException(Errno.EIO, "reading " + reader.directory() + ": " + e.getMessage());
            }
        }, reads);
    }

    @Override
    public String describe() {
        return reader.directory().toString();
    }
}
