package io.procsys.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One entry of the inode table: a path in the proc tree with the node id the kernel knows it by
 * and the number of kernel references (lookups) to it. The path is kept as a C string too, so
 * system calls on it encode nothing.
 */
public final class Node {
    public static final long ROOT_ID = 1;

    private final long id;
    private final String path;
    private final String name;
    private final NodeKind kind;
    private final MemorySegment cPath;
    final AtomicLong lookups = new AtomicLong();

    Node(long id, String path, String name, NodeKind kind) {
        this.id = id;
        this.path = path;
        this.name = name;
        this.kind = kind;
        this.cPath = Arena.ofAuto().allocateFrom(path);
    }

    public long id() {
        return id;
    }

    /** Path relative to the tree's root ("." for the root). */
    public String path() {
        return path;
    }

    /** Last path component ("" for the root). */
    public String name() {
        return name;
    }

    public NodeKind kind() {
        return kind;
    }

    /** {@link #path()} as a NUL-terminated C string. */
    public MemorySegment cPath() {
        return cPath;
    }

    public long lookups() {
        return lookups.get();
    }

    /** The path of a child named {@code child}. */
    public String childPath(String child) {
        return id == ROOT_ID ? child : path + "/" + child;
    }

    @Override
    public String toString() {
        return "Node[" + id + " " + path + " " + kind + " lookups=" + lookups.get() + "]";
    }
}
