package io.procsys.fs;

import io.procsys.fs.access.AsReader;
import io.procsys.fs.access.Reader;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.tree.WholeFile;

import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.CompletableFuture;

/** How a file of a proc tree is turned into an {@link OpenFile} at open. */
final class OpenFiles {
    /** Files never snapshot: see {@link OpenFile.Passthrough}. */
    static final Set<String> PASSTHROUGH = Set.of("kmsg", "kcore", "mem", "pagemap", "kpagecount", "kpageflags", "kpagecgroup");
    /** Files read with read(2) at the current position: they cannot seek. */
    static final Set<String> STREAMS = Set.of("kmsg");
    /** A file larger than this is served passthrough instead of snapshot. */
    static final long SNAPSHOT_LIMIT = 16L << 20;

    private OpenFiles() {}

    /**
     * The open file of node {@code node}, whose source is open as {@code fd} (which it then owns).
     * A live source keeps {@code fd} open, to render the file again from it (a read at 0), as
     * procfs does: a process that exits while its file is open then answers ESRCH, and a pid
     * used again is never read for it. A captured tree's file does not change: one snapshot.
     */
    static OpenFile of(int fd, Node node, boolean live, Reader opener) {
        return of(fd, node, live, opener, null);
    }

    /** As above, each rendering's text rewritten by {@code rewrite} (null: as the source has it). */
    static OpenFile of(int fd, Node node, boolean live, Reader opener, UnaryOperator<String> rewrite) {
        if (PASSTHROUGH.contains(node.name())) return new OpenFile.Passthrough(fd, STREAMS.contains(node.name()));
        WholeFile file = WholeFile.read(fd, SNAPSHOT_LIMIT);
        if (file.errno() == WholeFile.TOO_BIG) {
            return new OpenFile.Passthrough(fd, false); // pread serves any offset
        }
        if (file.errno() != 0 || !live) {
            Libc.close(fd);
            return file.errno() != 0 ? new OpenFile.Failed(file.errno()) : new OpenFile.Snapshot(Rewritten.of(file, rewrite));
        }
        RenderedFile.Renderer fromSource = new FromSource(fd);
        return new RenderedFile(Rewritten.of(file, rewrite), rewrite == null ? fromSource : new Rewritten(fromSource, rewrite), opener);
    }

    /** Renders a file again from its source's descriptor, read whole from byte 0 by the reader (read-time checks are the reader's). */
    record FromSource(int fd) implements RenderedFile.Renderer {
        @Override
        public CompletableFuture<WholeFile> render(Reader reader) {
            WholeFile file = AsReader.get(reader, () -> WholeFile.readFromStart(fd, SNAPSHOT_LIMIT), () -> null);
            if (file == null) return CompletableFuture.failedFuture(new ErrnoException(Errno.EACCES, "cannot read as the reader"));
            if (file.errno() == 0) return CompletableFuture.completedFuture(file);
            // grown past the limit since open: a part of it would pass for the whole
            int errno = file.errno() == WholeFile.TOO_BIG ? Errno.EFBIG : file.errno();
            return CompletableFuture.failedFuture(new ErrnoException(errno, "rendering again"));
        }

        @Override
        public void close() {
            Libc.close(fd);
        }

        @Override
        public int pollSource() {
            return fd;
        }
    }
}
