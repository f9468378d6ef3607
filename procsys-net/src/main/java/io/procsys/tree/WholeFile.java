package io.procsys.tree;

import io.procsys.fuse.Errno;
import io.procsys.fuse.Libc;

import java.lang.foreign.MemorySegment;

/**
 * A whole file read with read(2) into malloc'ed memory, growing by doubling: how a /proc file is
 * taken as one snapshot. Either {@code data} (free it with {@link #free()}) or an {@code errno}
 * ({@link #TOO_BIG} when the file is longer than the limit).
 */
public record WholeFile(MemorySegment data, int errno) {
    public static final int TOO_BIG = -1;
    private static final long FIRST_READ = 4096;

    /** Reads {@code fd} from its current position to the end; does not close it. */
    public static WholeFile read(int fd, long limit) {
        MemorySegment data = Libc.malloc(FIRST_READ);
        if (data.equals(MemorySegment.NULL)) return new WholeFile(null, Errno.ENOMEM);
        long length = 0;
        while (true) {
            if (length == data.byteSize()) {
                if (length >= limit) {
                    Libc.free(data);
                    return new WholeFile(null, TOO_BIG);
                }
                MemorySegment bigger = Libc.realloc(data, Math.min(length * 2, limit));
                if (bigger.equals(MemorySegment.NULL)) {
                    Libc.free(data);
                    return new WholeFile(null, Errno.ENOMEM);
                }
                data = bigger;
            }
            long n = Libc.read(fd, data.asSlice(length), data.byteSize() - length);
            if (n < 0) {
                Libc.free(data);
                return new WholeFile(null, (int) -n);
            }
            if (n == 0) return new WholeFile(data.asSlice(0, length), 0);
            length += n;
        }
    }

    public void free() {
        if (data != null) Libc.free(data);
    }
}
