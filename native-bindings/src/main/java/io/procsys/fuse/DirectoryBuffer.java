package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_lowlevel_h;

import java.lang.foreign.MemorySegment;

/**
 * Directory entries packed with {@code fuse_add_direntry[_plus]} into a native buffer of the
 * size the kernel asked for, then sent with one {@code fuse_reply_buf}.
 */
public final class DirectoryBuffer {
    private final Request request;
    private final MemorySegment req;
    private final MemorySegment name;
    private final MemorySegment buffer;
    private long used;

    DirectoryBuffer(Request request, MemorySegment req, Scratch scratch, long size) {
        this.request = request;
        this.req = req;
        this.name = scratch.name;
        this.buffer = scratch.buffer(size).asSlice(0, size);
    }

    /**
     * Adds an entry for readdir: only the inode number and type bits of {@code stat} are used.
     * Returns false (and adds nothing) when the entry does not fit.
     */
    public boolean add(String entryName, MemorySegment stat, long nextOffset) {
        name.setString(0, entryName);
        long room = buffer.byteSize() - used;
        long needed = fuse_lowlevel_h.fuse_add_direntry(req, buffer.asSlice(used), room, name, stat, nextOffset);
        if (needed > room) return false;
        used += needed;
        return true;
    }

    /**
     * Adds an entry for readdirplus. When it fits, the kernel takes a lookup reference on the
     * entry's node id (unless it is 0, or the name is "." or ".."): the caller must count it.
     */
    public boolean addPlus(String entryName, EntryParam entry, long nextOffset) {
        name.setString(0, entryName);
        long room = buffer.byteSize() - used;
        long needed = fuse_lowlevel_h.fuse_add_direntry_plus(req, buffer.asSlice(used), room, name, entry.segment(), nextOffset);
        if (needed > room) return false;
        used += needed;
        return true;
    }

    /** Adds entry {@code index} of a listing to a reply (next offset {@code index + 1}); false when it does not fit. */
    @FunctionalInterface
    public interface EntryWriter {
        boolean add(DirectoryBuffer out, int index);
    }

    /**
     * The one readdir loop (passthrough_ll's lo_do_readdir): entries {@code offset..count-1} of a
     * listing kept at opendir, until the buffer is full, then the reply. The offset the kernel
     * passes back is the index of the next entry.
     */
    public int fill(long offset, int count, EntryWriter writer) {
        for (int i = (int) Math.min(offset, count); i < count; i++) {
            if (!writer.add(this, i)) break;
        }
        return reply();
    }

    public boolean isEmpty() {
        return used == 0;
    }

    /** Sends the entries added so far (none means end of directory). */
    public int reply() {
        return request.replyBuffer(buffer.asSlice(0, used));
    }
}
