package io.procsys.fs.cluster;

import io.procsys.fs.identity.HostIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hosts a cluster mount combines, by index and by name. Index 0 is this host; the others
 * take the next free index when they join and keep it while the mount lives. A host that leaves
 * leaves a gap: its index is never handed to another host, so cluster pids, socket inodes and
 * device names of one index always mean one host (docs/aggregation.md). At most
 * {@link HostIndex#MAX} + 1 indices.
 */
public final class HostSet {
    /** A present host and its index. */
    public record Member(int index, Backend backend) {}

    /** A host and the index of the tree node it is reached through (-1: a host of this mount's own). */
    private record Slot(Backend backend, int node) {}

    /** Index → host; null where a host left. */
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    /** Name → index of the present hosts: lookups under hosts/ at a thousand hosts are not a scan. */
    private final Map<String, Integer> indexByName = new ConcurrentHashMap<>();

    /** A set of the given hosts, indexed in order (this host first). */
    public HostSet(List<? extends Backend> hosts) {
        for (Backend b : hosts) add(b);
    }

    /** Adds a host under the next index; fails if its name is taken or every index was used. */
    public int add(Backend host) {
        return add(host, -1);
    }

    /**
     * Adds a host below tree node {@code node} (docs/scale.md): its processes are listed and its
     * pids mapped as any host's, but it is no entry of hosts/ and no part of the combined files
     * (the node's own combined files hold it).
     */
    public int addBelow(int node, Backend host) {
        if (get(node) == null) throw new IllegalArgumentException("no host of index " + node);
        return add(host, node);
    }

    private synchronized int add(Backend host, int node) {
        if (byName(host.name()) != null) throw new IllegalArgumentException("host " + host.name() + " is already in the cluster");
        if (slots.size() > HostIndex.MAX) throw new IllegalStateException("all " + HostIndex.MAX + " remote host indices are used (host indices are never reused while mounted)");
        slots.add(new Slot(host, node));
        indexByName.put(host.name(), slots.size() - 1);
        return slots.size() - 1;
    }

    /** Takes a host out, with the hosts below it; its index stays unused. */
    public synchronized boolean remove(Backend host) {
        int index = indexOf(host);
        if (index <= 0) return false;
        leave(index);
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (s != null && s.node() == index) leave(i);
        }
        return true;
    }

    private void leave(int index) {
        indexByName.remove(slots.get(index).backend().name(), index);
        slots.set(index, null); // a gap, never reused
    }

    /** The host of {@code index}, or null when none has it (never given, or gone). */
    public Backend get(int index) {
        if (index < 0 || index >= slots.size()) return null;
        Slot s = slots.get(index);
        return s == null ? null : s.backend();
    }

    /** The host named {@code name} (a host below a node is named by its path, node/host). */
    public Backend byName(String name) {
        Integer index = indexByName.get(name);
        return index == null ? null : get(index);
    }

    public int indexOf(Backend host) {
        if (host == null) return -1;
        Integer index = indexByName.get(host.name());
        return index != null && get(index) == host ? index : -1;
    }

    /** This host. */
    public Backend local() {
        return slots.getFirst().backend();
    }

    /** The hosts of this mount's own present now, in index order (not those below tree nodes). */
    public List<Member> members() {
        return below(-1);
    }

    /** The hosts present now below tree node {@code node}, at any depth, in index order. */
    public List<Member> below(int node) {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (s != null && s.node() == node) out.add(new Member(i, s.backend()));
        }
        return out;
    }
}
