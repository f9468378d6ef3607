package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_entry_param;

import java.lang.foreign.MemorySegment;

/**
 * A {@code struct fuse_entry_param} being filled for a lookup or readdirplus reply. The
 * filesystem writes the attributes straight into {@link #attr()} (e.g. with fstatat), then sets
 * the node id and timeouts.
 */
public final class EntryParam {
    private final MemorySegment struct;

    /** The entry at {@code struct}: one being built, or one a {@link ReplySink} received. */
    public EntryParam(MemorySegment struct) {
        this.struct = struct.reinterpret(fuse_entry_param.sizeof());
    }

    MemorySegment segment() {
        return struct;
    }

    /** The {@code struct stat} inside the entry. */
    public MemorySegment attr() {
        return fuse_entry_param.attr(struct);
    }

    /** Sets the node id (0 for "no node", as for "." and ".." in readdirplus) and cache timeouts. */
    public EntryParam set(long nodeId, double entryTimeoutSeconds, double attrTimeoutSeconds) {
        fuse_entry_param.ino(struct, nodeId);
        fuse_entry_param.generation(struct, 0);
        fuse_entry_param.entry_timeout(struct, entryTimeoutSeconds);
        fuse_entry_param.attr_timeout(struct, attrTimeoutSeconds);
        return this;
    }

    public long nodeId() {
        return fuse_entry_param.ino(struct);
    }

    /** Zeroes the whole entry. */
    public EntryParam clear() {
        struct.fill((byte) 0);
        return this;
    }
}
