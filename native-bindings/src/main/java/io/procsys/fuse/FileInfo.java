package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_file_info;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A view of libfuse's {@code struct fuse_file_info} for one request.
 *
 * <p>jextract skips the bitfields that follow {@code flags}; they share one 32-bit word right
 * after it. The offset and bit numbers here are those gcc gives for libfuse 3.14 on x86_64 and
 * aarch64 (first declared bit = least significant); {@code FileInfoBitfieldTest} checks them
 * against the C compiler on every build.
 */
public final class FileInfo {
    /** Offset of the bitfield word inside struct fuse_file_info. */
    public static final long BITFIELD_OFFSET = 4;
    public static final int WRITEPAGE_BIT = 0;
    public static final int DIRECT_IO_BIT = 1;
    public static final int KEEP_CACHE_BIT = 2;
    public static final int FLUSH_BIT = 3;
    public static final int NONSEEKABLE_BIT = 4;
    public static final int FLOCK_RELEASE_BIT = 5;
    public static final int CACHE_READDIR_BIT = 6;
    public static final int NOFLUSH_BIT = 7;

    private final MemorySegment struct;

    public FileInfo(MemorySegment pointer) {
        this.struct = pointer.reinterpret(fuse_file_info.sizeof());
    }

    /** A zeroed fuse_file_info of its own with open(2) {@code flags}: an open request made without a kernel (tests, benchmarks). */
    public static FileInfo withFlags(int flags) {
        MemorySegment struct = java.lang.foreign.Arena.ofAuto().allocate(fuse_file_info.layout());
        fuse_file_info.flags(struct, flags);
        return new FileInfo(struct);
    }

    public MemorySegment segment() {
        return struct;
    }

    /**
     * A copy in memory of its own. libfuse passes open and opendir a {@code fuse_file_info} on
     * the worker thread's stack, valid only during the upcall: a reply sent later from another
     * thread must be built on a copy, or it writes into whatever that stack holds by then.
     */
    public FileInfo detachedCopy() {
        MemorySegment copy = java.lang.foreign.Arena.ofAuto().allocate(fuse_file_info.layout());
        copy.copyFrom(struct);
        return new FileInfo(copy);
    }

    /** open(2) flags of the request. */
    public int flags() {
        return fuse_file_info.flags(struct);
    }

    /**
     * The events a poll request waits for (POLLIN, POLLPRI, ...; POLLERR and POLLHUP always),
     * or 0 where the kernel does not say (before 3.16's FUSE 7.21): then any event.
     */
    public int pollEvents() {
        return fuse_file_info.poll_events(struct);
    }

    /** The handle the filesystem chose at open/opendir. */
    public long handle() {
        return fuse_file_info.fh(struct);
    }

    public void setHandle(long handle) {
        fuse_file_info.fh(struct, handle);
    }

    public boolean directIo() {
        return bit(DIRECT_IO_BIT);
    }

    /** Bypass the page cache: needed for files whose size attribute is 0, as in /proc. */
    public void setDirectIo(boolean on) {
        setBit(DIRECT_IO_BIT, on);
    }

    public boolean keepCache() {
        return bit(KEEP_CACHE_BIT);
    }

    public void setKeepCache(boolean on) {
        setBit(KEEP_CACHE_BIT, on);
    }

    public boolean nonSeekable() {
        return bit(NONSEEKABLE_BIT);
    }

    public void setNonSeekable(boolean on) {
        setBit(NONSEEKABLE_BIT, on);
    }

    public void setCacheReaddir(boolean on) {
        setBit(CACHE_READDIR_BIT, on);
    }

    private boolean bit(int bit) {
        return (struct.get(JAVA_INT, BITFIELD_OFFSET) & (1 << bit)) != 0;
    }

    private void setBit(int bit, boolean on) {
        int word = struct.get(JAVA_INT, BITFIELD_OFFSET);
        struct.set(JAVA_INT, BITFIELD_OFFSET, on ? word | (1 << bit) : word & ~(1 << bit));
    }
}
