package io.procsys.fs;

import io.procsys.tree.ProcTree;
import io.procsys.fuse.Errno;
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
    private static final long FIRST_READ = 4096;

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
        MemorySegment data = Libc.malloc(FIRST_READ);
        if (data.equals(MemorySegment.NULL)) {
            Libc.close(fd);
            return new OpenFile.Failed(Errno.ENOMEM);
        }
        long length = 0;
        while (true) {
            if (length == data.byteSize()) {
                if (length >= SNAPSHOT_LIMIT) {
                    Libc.free(data);
                    return new OpenFile.Passthrough(fd, false);
                }
                MemorySegment bigger = Libc.realloc(data, Math.min(length * 2, SNAPSHOT_LIMIT));
                if (bigger.equals(MemorySegment.NULL)) {
                    Libc.free(data);
                    Libc.close(fd);
                    return new OpenFile.Failed(Errno.ENOMEM);
                }
                data = bigger;
            }
            long n = Libc.read(fd, data.asSlice(length), data.byteSize() - length);
            if (n < 0) {
                Libc.free(data);
                Libc.close(fd);
                return new OpenFile.Failed((int) -n);
            }
            if (n == 0) break;
            length += n;
        }
        Libc.close(fd);
        if (length == 0) {
            Libc.free(data);
            return new OpenFile.Snapshot(MemorySegment.NULL.reinterpret(0));
        }
        return new OpenFile.Snapshot(data.asSlice(0, length));
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
