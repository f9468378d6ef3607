package io.procsys.fs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node ids handed to the kernel, each with its lookup count, as in libfuse's passthrough_ll:
 * a successful lookup (or readdirplus entry) adds one reference, forget removes n, and a node
 * whose count reaches zero leaves the table. Nodes are keyed by path, so a path the kernel
 * still knows keeps its id; a forgotten path gets a new id next time (ids are never reused).
 * The root is permanent.
 */
public final class InodeTable {
    private final ConcurrentHashMap<Long, Node> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Node> byPath = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(Node.ROOT_ID + 1);
    private final Node root;

    public InodeTable() {
        root = new Node(Node.ROOT_ID, ".", "", NodeKind.ROOT);
        root.lookups.set(1);
        byId.put(root.id(), root);
    }

    public Node root() {
        return root;
    }

    /** The node with this id, or null if the kernel has no reference to such a node. */
    public Node get(long id) {
        return byId.get(id);
    }

    /**
     * The node for {@code name} under {@code parent}, created if needed, with one more lookup
     * reference taken for the kernel.
     */
    public Node lookup(Node parent, String name, NodeKind kind) {
        String path = parent.childPath(name);
        // compute() makes "find or create, then count" atomic against a concurrent forget.
        return byPath.compute(path, (p, existing) -> {
            Node node = existing;
            if (node == null) {
                node = new Node(nextId.getAndIncrement(), p, name, kind);
                byId.put(node.id(), node);
            }
            node.lookups.incrementAndGet();
            return node;
        });
    }

    /** Drops {@code count} kernel references to node {@code id}; forgets it at zero. */
    public void forget(long id, long count) {
        Node node = byId.get(id);
        if (node == null || node == root) return;
        byPath.computeIfPresent(node.path(), (p, current) -> {
            if (current != node) return current;
            long left = node.lookups.addAndGet(-count);
            if (left > 0) return node;
            byId.remove(id);
            return null;
        });
    }

    /** Number of nodes the kernel holds references to, the root included. */
    public int size() {
        return byId.size();
    }
}
