package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_entry_param;
import io.procsys.posix.Stat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native scratch memory for upcalls: one struct of each kind a reply needs, reused by
 * every request the thread serves, so the hot path allocates nothing. Freed by the GC with the
 * thread (automatic arena).
 */
final class Scratch {
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);
    private static final long INITIAL_BUFFER = 128 * 1024;

    private final Arena arena = Arena.ofAuto();
    final MemorySegment stat = arena.allocate(Stat.SIZE, 8);
    final MemorySegment entry = arena.allocate(fuse_entry_param.layout());
    final MemorySegment statvfs = arena.allocate(io.procsys.fuse.bindings.statvfs.layout());
    final MemorySegment name = arena.allocate(4096);
    private MemorySegment buffer = arena.allocate(INITIAL_BUFFER, 8);

    static Scratch current() {
        return CURRENT.get();
    }

    /** A buffer of at least {@code size} bytes, owned by this thread until its next call. */
    MemorySegment buffer(long size) {
        if (buffer.byteSize() < size) {
            buffer = Arena.ofAuto().allocate(size, 8);
        }
        return buffer;
    }
}
