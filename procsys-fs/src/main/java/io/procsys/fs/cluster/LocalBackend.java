package io.procsys.fs.cluster;

import io.procsys.fuse.Errno;
import io.procsys.fuse.Libc;
import io.procsys.fuse.Stat;
import io.procsys.net.client.RemoteError;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.WholeFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This host under hosts/: the same export rules as an agent applies (so every host in hosts/
 * looks alike), answered at once in the calling thread.
 */
public final class LocalBackend implements Backend {
    private static final long MAX_FILE = 16L << 20;
    private final String name;
    private final ExportedTree tree;

    public LocalBackend(String name, ExportedTree tree) {
        this.name = name;
        this.tree = tree;
    }

    @Override
    public String name() {
        return name;
    }

    private static <T> CompletableFuture<T> failed(int errno) {
        return CompletableFuture.failedFuture(new RemoteError(errno, "local"));
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.SIZE, 8);
            int rc = tree.stat(path, st);
            return rc < 0 ? failed(-rc) : CompletableFuture.completedFuture(FileAttributes.of(st));
        }
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        ExportedTree.Listing listing = tree.list(path);
        return listing.errno() != 0 && listing.entries().isEmpty() ? failed(listing.errno())
                : CompletableFuture.completedFuture(listing.entries());
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        ExportedTree.LinkText link = tree.readlink(path);
        return link.text() == null ? failed(link.errno()) : CompletableFuture.completedFuture(link.text());
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        int fd = tree.openForRead(path);
        if (fd < 0) return failed(-fd);
        try {
            WholeFile file = WholeFile.read(fd, MAX_FILE);
            if (file.errno() != 0) return failed(file.errno() == WholeFile.TOO_BIG ? Errno.EFBIG : file.errno());
            return CompletableFuture.completedFuture(new Content() {
                public MemorySegment bytes() {
                    return file.data();
                }

                public void release() {
                    file.free();
                }
            });
        } finally {
            Libc.close(fd);
        }
    }
}
