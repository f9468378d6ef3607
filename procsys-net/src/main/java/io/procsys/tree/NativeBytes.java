package io.procsys.tree;

import java.lang.foreign.MemorySegment;

/** Bytes in native memory (a file read whole, a received buffer) and how to free them. */
public interface NativeBytes {
    MemorySegment bytes();

    /** Frees the memory; {@link #bytes()} must not be used after. */
    void release();
}
