package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;

import java.lang.foreign.MemorySegment;

/**
 * A whole file read with read(2), as one snapshot: either {@code data} in malloc'ed memory (free
 * it with {@link #free()}) or an {@code errno} ({@link #TOO_BIG} when the file is longer than
 * the limit). {@link #readInto} is the one read loop of procsys, whatever the buffer.
 */
public record WholeFile(MemorySegment data, int errno) implements NativeBytes {
    public static final int TOO_BIG = -1;
    private static final long FIRST_READ = 4096;

    /** Reads {@code fd} from its current position to the end into {@code into}: 0, {@link #TOO_BIG} or an errno. Does not close it. */
    public static int readInto(int fd, FileBuffer into) {
        return readInto(fd, into, -1);
    }

    /**
     * As above from byte {@code start} with pread(2) (a procfs file read again from 0 is rendered
     * anew, as seq_file does), or from the current position with read(2) when {@code start} is negative.
     */
    private static int readInto(int fd, FileBuffer into, long start) {
        long done = 0;
        while (true) {
            MemorySegment room = into.room();
            if (room == null) return Errno.ENOMEM;
            if (room.byteSize() == 0) return TOO_BIG;
            long n = start < 0 ? Libc.read(fd, room, room.byteSize()) : Libc.pread(fd, room, room.byteSize(), start + done);
            if (n < 0) return (int) -n;
            if (n == 0) return 0;
            into.advance(n);
            done += n;
        }
    }

    /** Reads {@code fd} from its current position to the end into malloc'ed memory of at most {@code limit} bytes. */
    public static WholeFile read(int fd, long limit) {
        return read(fd, limit, -1);
    }

    /** Reads {@code fd} whole again, from its first byte (pread: its position is not used), as {@link #read}. */
    public static WholeFile readFromStart(int fd, long limit) {
        return read(fd, limit, 0);
    }

    private static WholeFile read(int fd, long limit, long start) {
        Buffer buffer = new Buffer(limit);
        int rc = readInto(fd, buffer, start);
        if (rc != 0) {
            buffer.free();
            return new WholeFile(null, rc);
        }
        return new WholeFile(buffer.written(), 0);
    }

    public void free() {
        if (data != null) Libc.free(data);
    }

    @Override
    public MemorySegment bytes() {
        return data;
    }

    @Override
    public void release() {
        free();
    }

    /** malloc'ed memory that doubles (realloc) up to a limit: what the mount reads files into. */
    public static final class Buffer implements FileBuffer {
        private final long limit;
        private MemorySegment data = MemorySegment.NULL;
        private long length;

        public Buffer(long limit) {
            this.limit = limit;
        }

        @Override
        public MemorySegment room() {
            if (data.equals(MemorySegment.NULL)) {
                data = Libc.malloc(Math.min(FIRST_READ, limit));
                if (data.equals(MemorySegment.NULL)) return null;
            } else if (length == data.byteSize()) {
                if (length >= limit) return data.asSlice(length, 0);
                MemorySegment bigger = Libc.realloc(data, Math.min(length * 2, limit));
                if (bigger.equals(MemorySegment.NULL)) return null;
                data = bigger;
            }
            return data.asSlice(length);
        }

        @Override
        public void advance(long n) {
            length += n;
        }

        /** The bytes written, still owned by this buffer (free them with {@link #free()}, or take them). */
        public MemorySegment written() {
            return data.asSlice(0, length);
        }

        public void free() {
            if (!data.equals(MemorySegment.NULL)) Libc.free(data);
        }
    }
}
