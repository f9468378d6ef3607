package io.procsys.tree;

import java.lang.foreign.MemorySegment;

/**
 * Growable native memory a whole file is read into with read(2): a Netty buffer on an agent (it
 * goes to the socket as it is), malloc'ed memory in the mount (it goes to fuse_reply_buf).
 */
public interface FileBuffer {
    /**
     * Free room after the bytes written so far, grown when full: empty once the buffer's limit is
     * reached, null when memory ran out.
     */
    MemorySegment room();

    /** {@code n} bytes were written at the start of the last {@link #room()}. */
    void advance(long n);
}
