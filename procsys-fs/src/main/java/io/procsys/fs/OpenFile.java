package io.procsys.fs;

import io.procsys.fs.access.AsReader;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fuse.Request;
import io.procsys.posix.Libc;
import io.procsys.tree.NativeBytes;

import java.lang.foreign.MemorySegment;

/** An open file of a mount: how reads of one handle are answered. */
public sealed interface OpenFile permits OpenFile.Snapshot, RenderedFile, OpenFile.Passthrough, OpenFile.Failed {

    void read(Request req, long size, long offset);

    void close();

    /** The descriptor whose poll(2) answers for this file (its source), or -1: none, always ready. */
    default int pollSource() {
        return -1;
    }

    /** The file was polled: a reader that waited for a change reads next, and must see it. */
    default void polled() {}

    /** Bytes of native memory this handle holds now (its rendering). */
    default long heldBytes() {
        return 0;
    }

    /**
     * Charges the bytes this handle holds to {@code usage} (the opener's user), now and as later
     * renderings change them, until close: false, and nothing charged, past the user's bound. A
     * file that never changes (a snapshot) is charged by whoever holds it.
     */
    default boolean chargeTo(UserLimits.Usage usage) {
        return true;
    }

    /**
     * A file that does not change (a captured tree's, a constant), in native memory: every read
     * of the handle, at any offset and of any size, is a slice of it. Files of a live source are
     * {@link RenderedFile}s instead, rendered again at offset 0 as procfs does.
     * Its bytes are malloc'ed here, or a received network buffer: released with the handle.
     */
    record Snapshot(NativeBytes content) implements OpenFile {
        @Override
        public void read(Request req, long size, long offset) {
            MemorySegment data = content.bytes();
            long length = data.byteSize();
            long start = Math.min(offset, length);
            req.replyBuffer(data.asSlice(start, Math.min(size, length - start)));
        }

        @Override
        public void close() {
            content.release();
        }

        @Override
        public long heldBytes() {
            return content.bytes().byteSize();
        }
    }

    /**
     * Reads go to the source descriptor as they come: for files that are huge (kcore, pagemap),
     * position-dependent (mem) or that block and are consumed by reading (kmsg). Each read is the
     * reader's, with its credentials (pagemap's and mem's checks are the opener's, as in procfs).
     */
    record Passthrough(int fd, boolean stream) implements OpenFile {
        @Override
        public void read(Request req, long size, long offset) {
            MemorySegment buffer = req.buffer(size);
            long n = AsReader.callLong(Reader.of(req), () -> stream ? Libc.read(fd, buffer, size) : Libc.pread(fd, buffer, size, offset));
            if (n < 0) req.replyError((int) -n);
            else req.replyBuffer(buffer.asSlice(0, n));
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

    /** The source opened but could not be read: every read answers the source's error, as /proc would. */
    record Failed(int errno) implements OpenFile {
        @Override
        public void read(Request req, long size, long offset) {
            req.replyError(errno);
        }

        @Override
        public void close() {}
    }
}
