package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_conn_info;

import java.lang.foreign.MemorySegment;

/** The capabilities negotiated in FUSE_INIT ({@code struct fuse_conn_info}). */
public final class ConnectionInfo {
    private final MemorySegment struct;

    ConnectionInfo(MemorySegment pointer) {
        this.struct = pointer.reinterpret(fuse_conn_info.sizeof());
    }

    public boolean capable(Capability capability) {
        return (fuse_conn_info.capable(struct) & capability.mask) != 0;
    }

    /** Asks for a capability if the kernel offers it; returns whether it is now wanted. */
    public boolean want(Capability capability) {
        if (!capable(capability)) return false;
        fuse_conn_info.want(struct, fuse_conn_info.want(struct) | capability.mask);
        return true;
    }

    public void unwant(Capability capability) {
        fuse_conn_info.want(struct, fuse_conn_info.want(struct) & ~capability.mask);
    }

    public boolean wants(Capability capability) {
        return (fuse_conn_info.want(struct) & capability.mask) != 0;
    }

    public int protocolMajor() {
        return fuse_conn_info.proto_major(struct);
    }

    public int protocolMinor() {
        return fuse_conn_info.proto_minor(struct);
    }

    public int maxRead() {
        return fuse_conn_info.max_read(struct);
    }
}
