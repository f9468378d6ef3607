package io.procsys.fs.cluster;

import io.procsys.fs.identity.HostIndex;
import io.procsys.fs.identity.PidMap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * The hosts a cluster mount combines, by index and by name (docs/aggregation.md, "Host indices").
 * Index 0 is this host; the others keep their index while present. A host that leaves frees its
 * index, remembered under its name: the same name joining again gets it back, so its cluster
 * pids, socket inodes and device names go on meaning it. A new name takes a never-used index
 * while there is one, then the index freed longest ago, once it has been free for
 * {@link #QUARANTINE}; the {@link #whenReused} hook then drops what the mount still keys by it
 * (cluster pids), so one index never means two hosts to a reader. Only {@link HostIndex#MAX}
 * remote hosts present, or gone within the quarantine, at once fill it.
 *
 * <p>A tree node may hold at most {@link #NODE_QUOTA} indices for the hosts below it, present or
 * freed within the quarantine: one that names ever new hosts (4 096 a reply) would otherwise take
 * every index in a few replies, and no other host could join for the quarantine. Past its quota,
 * its new hosts take the indices its own hosts freed (oldest first, the quarantine waived for
 * them: the offender pays first), and are refused when it has none; both are counted for status.
 */
public final class HostSet {
    /**
     * How long a freed index stays unused by another host: {@link PidMap#IDLE}, after which the
     * pid map has forgotten the host's processes unless a reader keeps naming them; a reader that
     * saw one of its cluster pids, inodes or device names has had that long to see them gone.
     * Longer than any cache keyed by index (boot times, combined files, tables, the kernel's).
     */
    public static final Duration QUARANTINE = PidMap.IDLE;
    /** The tree node of the hosts of this mount's own. */
    private static final int OWN = -1;
    /** The most indices one tree node's hosts may hold, present or freed within the quarantine: twice what one reply names. */
    public static final int NODE_QUOTA = 2 * io.procsys.net.protocol.TableBundle.MAX_PARTS;

    /** What a tree node's quota cost it: indices of its own hosts reused early, hosts refused, and when last. */
    public record QuotaUse(String node, long reusedEarly, long refused, long lastAtNanos) {}

    /** A present host and its index. */
    public record Member(int index, Backend backend) {}

    /** A host and the index of the tree node it is reached through ({@link #OWN}: a host of this mount's own). */
    private record Slot(Backend backend, int node) {}

    /** A freed index: the name of the host that had it, when it left, and the tree node it was below ({@link #OWN}: none). */
    private record Freed(String name, long leftAtNanos, int node) {}

    /** Index → host; null where none is now. Grown by doubling (a thousand hosts do not cost 65 536 slots). */
    private volatile AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(16);
    /** Indices ever handed out (the next never-used one). */
    private int used;
    /** Name → index of the present hosts: lookups under hosts/ at a thousand hosts are not a scan. */
    private final Map<String, Integer> indexByName = new ConcurrentHashMap<>();
    /** Node index → the indices of the hosts below it, in index order ({@link #OWN}: this mount's own). */
    private final Map<Integer, NavigableSet<Integer>> children = new ConcurrentHashMap<>();
    /** Freed indices, longest free first. */
    private final LinkedHashMap<Integer, Freed> freed = new LinkedHashMap<>();
    /** Name of a host gone → the index it had, while no other host took it (at most {@link HostIndex#MAX}). */
    private final Map<String, Integer> lastIndexOf = new HashMap<>();
    /** Node → the indices its hosts freed, longest free first (a subset of {@link #freed}). */
    private final Map<Integer, java.util.LinkedHashSet<Integer>> freedBy = new HashMap<>();
    /** Node index → what its quota cost it. */
    private final Map<Integer, QuotaUse> quotaUse = new HashMap<>();
    private final int nodeQuota;
    private final LongSupplier nanoClock;
    private final long quarantineNanos;
    private IntConsumer whenReused = index -> {};

    /** A set of the given hosts, indexed in order (this host first). */
    public HostSet(List<? extends Backend> hosts) {
        this(hosts, System::nanoTime, QUARANTINE);
    }

    /** As above, on {@code nanoClock}, a freed index going to another host after {@code quarantine}. */
    HostSet(List<? extends Backend> hosts, LongSupplier nanoClock, Duration quarantine) {
        this(hosts, nanoClock, quarantine, NODE_QUOTA);
    }

    /** As above, a tree node's hosts holding at most {@code nodeQuota} indices. */
    HostSet(List<? extends Backend> hosts, LongSupplier nanoClock, Duration quarantine, int nodeQuota) {
        this.nodeQuota = nodeQuota;
        this.nanoClock = nanoClock;
        this.quarantineNanos = quarantine.toNanos();
        for (Backend b : hosts) add(b);
    }

    /** {@code hook} is told an index freed by one host before another host takes it (drop what is keyed by it). */
    public synchronized void whenReused(IntConsumer hook) {
        this.whenReused = hook;
    }

    /** Adds a host under the index its name had, or a free one; fails if its name is taken or no index is free. */
    public int add(Backend host) {
        return add(host, OWN);
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
        int index = node != OWN && !lastIndexOf.containsKey(host.name()) && held(node) >= nodeQuota ? ownFreed(node) : freeIndex(host.name());
        if (index >= slots.length()) grow(index);
        slots.set(index, new Slot(host, node));
        children.computeIfAbsent(node, n -> new ConcurrentSkipListSet<>()).add(index);
        indexByName.put(host.name(), index);
        return index;
    }

    /** The index {@code name} had, else a never-used one, else the longest freed past the quarantine. */
    private int freeIndex(String name) {
        Integer had = lastIndexOf.remove(name);
        if (had != null) {
            unfree(had);
            return had;
        }
        if (used <= HostIndex.MAX) return used++;
        Map.Entry<Integer, Freed> oldest = freed.firstEntry();
        if (oldest == null || nanoClock.getAsLong() - oldest.getValue().leftAtNanos() < quarantineNanos) {
            throw new IllegalStateException("all " + HostIndex.MAX + " remote host indices are taken by hosts present or gone less than "
                    + quarantineNanos / 1_000_000_000 + " s ago (an index is reused only after that)");
        }
        return reuse(oldest.getKey());
    }

    /** Indices held by tree node {@code node}'s hosts: present, or freed within the quarantine. */
    private int held(int node) {
        NavigableSet<Integer> present = children.get(node);
        java.util.LinkedHashSet<Integer> gone = freedBy.get(node);
        return (present == null ? 0 : present.size()) + (gone == null ? 0 : gone.size());
    }

    /** For a node at its quota: the index its hosts freed longest ago, the quarantine waived; refused when it has none. */
    private int ownFreed(int node) {
        java.util.LinkedHashSet<Integer> gone = freedBy.get(node);
        String name = get(node) == null ? "?" : get(node).name();
        QuotaUse was = quotaUse.getOrDefault(node, new QuotaUse(name, 0, 0, 0));
        if (gone == null || gone.isEmpty()) {
            quotaUse.put(node, new QuotaUse(name, was.reusedEarly(), was.refused() + 1, nanoClock.getAsLong()));
            throw new IllegalStateException("tree node " + name + " names more than " + nodeQuota + " hosts below it: no index left for it");
        }
        quotaUse.put(node, new QuotaUse(name, was.reusedEarly() + 1, was.refused(), nanoClock.getAsLong()));
        return reuse(gone.getFirst());
    }

    /** Freed index {@code index} goes to another host: what is keyed by it goes first. */
    private int reuse(int index) {
        Freed f = unfree(index);
        lastIndexOf.remove(f.name());
        whenReused.accept(index);
        return index;
    }

    private Freed unfree(int index) {
        Freed f = freed.remove(index);
        if (f != null && f.node() != OWN) {
            java.util.LinkedHashSet<Integer> gone = freedBy.get(f.node());
            if (gone != null) gone.remove(index);
        }
        return f;
    }

    /** What their quota cost the tree nodes that reached it. */
    public synchronized List<QuotaUse> quotaUse() {
        return new ArrayList<>(quotaUse.values());
    }

    /** The group of a host for the pid map's shares: the peer it is reached through, itself for a peer of this mount's own. */
    public int groupOf(int index) {
        AtomicReferenceArray<Slot> now = slots;
        Slot s = index >= 0 && index < now.length() ? now.get(index) : null;
        return s == null || s.node() == OWN ? index : s.node();
    }

    private void grow(int index) {
        AtomicReferenceArray<Slot> old = slots;
        AtomicReferenceArray<Slot> bigger = new AtomicReferenceArray<>(Math.max(index + 1, Math.min(2 * old.length(), HostIndex.MAX + 1)));
        for (int i = 0; i < old.length(); i++) bigger.set(i, old.get(i));
        slots = bigger;
    }

    /** Takes a host out, with the hosts below it; their indices are freed. */
    public synchronized boolean remove(Backend host) {
        int index = indexOf(host);
        if (index <= 0) return false;
        leave(index);
        return true;
    }

    private void leave(int index) {
        Slot s = slots.get(index);
        indexByName.remove(s.backend().name(), index);
        slots.set(index, null);
        NavigableSet<Integer> siblings = children.get(s.node());
        if (siblings != null) siblings.remove(index);
        freed.put(index, new Freed(s.backend().name(), nanoClock.getAsLong(), s.node()));
        if (s.node() != OWN) freedBy.computeIfAbsent(s.node(), n -> new java.util.LinkedHashSet<>()).add(index);
        lastIndexOf.put(s.backend().name(), index);
        NavigableSet<Integer> below = children.remove(index);
        if (below != null) below.forEach(this::leave);
        // a node gone: what its hosts freed is no longer its own (its index may go to another host)
        java.util.LinkedHashSet<Integer> gone = freedBy.remove(index);
        if (gone != null) for (int g : gone) freed.computeIfPresent(g, (k, f) -> new Freed(f.name(), f.leftAtNanos(), OWN));
        quotaUse.remove(index);
    }

    /** The host of {@code index}, or null when none has it (never given, or gone). */
    public Backend get(int index) {
        AtomicReferenceArray<Slot> now = slots;
        if (index < 0 || index >= now.length()) return null;
        Slot s = now.get(index);
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
        return get(0);
    }

    /** The hosts of this mount's own present now, in index order (not those below tree nodes). */
    public List<Member> members() {
        return below(OWN);
    }

    /** The hosts present now below tree node {@code node}, at any depth, in index order. */
    public List<Member> below(int node) {
        NavigableSet<Integer> indices = children.get(node);
        if (indices == null) return List.of();
        List<Member> out = new ArrayList<>(indices.size());
        AtomicReferenceArray<Slot> now = slots;
        for (int i : indices) {
            Slot s = i < now.length() ? now.get(i) : null;
            if (s != null && s.node() == node) out.add(new Member(i, s.backend()));
        }
        return out;
    }
}
