package io.procsys.fs.cluster;

import io.procsys.fs.identity.HostIndex;

import java.util.ArrayList;
import java.util.List;
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

    /** Index → host; null where a host left. */
    private final CopyOnWriteArrayList<Backend> slots = new CopyOnWriteArrayList<>();

    /** A set of the given hosts, indexed in order (this host first). */
    public HostSet(List<? extends Backend> hosts) {
        for (Backend b : hosts) add(b);
    }

    /** Adds a host under the next index; fails if its name is taken or every index was used. */
    public synchronized int add(Backend host) {
        if (byName(host.name()) != null) throw new IllegalArgumentException("host " + host.name() + " is already in the cluster");
        if (slots.size() > HostIndex.MAX) throw new IllegalStateException("all " + HostIndex.MAX + " remote host indices are used (host indices are never reused while mounted)");
        slots.add(host);
        return slots.size() - 1;
    }

    /** Takes a host out; its index stays unused. */
    public synchronized boolean remove(Backend host) {
        int index = slots.indexOf(host);
        if (index <= 0) return false;
        slots.set(index, null); // a gap, never reused
        return true;
    }

    /** The host of {@code index}, or null when none has it (never given, or gone). */
    public Backend get(int index) {
        if (index < 0 || index >= slots.size()) return null;
        return slots.get(index);
    }

    public Backend byName(String name) {
        for (Backend b : slots) {
            if (b != null && b.name().equals(name)) return b;
        }
        return null;
    }

    public int indexOf(Backend host) {
        return host == null ? -1 : slots.indexOf(host);
    }

    /** This host. */
    public Backend local() {
        return slots.getFirst();
    }

    /** The hosts present now, in index order. */
    public List<Member> members() {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            Backend b = slots.get(i);
            if (b != null) out.add(new Member(i, b));
        }
        return out;
    }
}
