package io.procsys.fs;

import io.procsys.tree.ProcTree;
import io.procsys.tree.WholeFile;
import io.procsys.fuse.Libc;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The open files of the mirror by handle, and how a file is turned into one at open. */
final class OpenFiles {
    /** Files never snapshot: see {@link OpenFile.Passthrough}. */
    static final Set<String> PASSTHROUGH = Set.of("kmsg", "kcore", "mem", "pagemap", "kpagecount", "kpageflags", "kpagecgroup");
    /** Files read with read(2) at the current position: they cannot seek. */
    static final Set<String> STREAMS = Set.of("kmsg");
    /** A file larger than this is served passthrough instead of snapshot. */
    static final long SNAPSHOT_LIMIT = 16L << 20;

    private final ConcurrentHashMap<Long, OpenFile> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Opens {@code node} of {@code tree}: a handle, or -errno. */
    long open(ProcTree tree, Node node) {
        int fd = tree.openForReading(node.cPath());
        if (fd < 0) return fd;
        OpenFile file;
        if (PASSTHROUGH.contains(node.name())) {
            file = new OpenFile.Passthrough(fd, STREAMS.contains(node.name()));
        } else {
            file = snapshot(fd);
        }
        long handle = nextHandle.getAndIncrement();
        handles.put(handle, file);
        return handle;
    }

    private static OpenFile snapshot(int fd) {
        WholeFile file = WholeFile.read(fd, SNAPSHOT_LIMIT);
        if (file.errno() == WholeFile.TOO_BIG) {
            return new OpenFile.Passthrough(fd, false); // pread serves any offset
        }
        Libc.close(fd);
        return file.errno() != 0 ? new OpenFile.Failed(file.errno()) : new OpenFile.Snapshot(file.data());
    }

    OpenFile get(long handle) {
        return handles.get(handle);
    }

    void close(long handle) {
        OpenFile file = handles.remove(handle);
        if (file != null) file.close();
    }

    int size() {
        return handles.size();
    }
}
