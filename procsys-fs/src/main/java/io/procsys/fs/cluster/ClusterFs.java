package io.procsys.fs.cluster;

import io.procsys.fs.CachePolicy;
import io.procsys.fs.InodeTable;
import io.procsys.fs.Node;
import io.procsys.fs.NodeKind;
import io.procsys.fs.OpenDirectory;
import io.procsys.fs.OpenFile;
import io.procsys.fs.ProcMirror;
import io.procsys.fs.access.AsReader;
import io.procsys.fs.access.ProcfsRules;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.RenderedFile;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.fs.clock.Rebase;
import io.procsys.fs.identity.PidMap;
import io.procsys.fs.identity.SocketInodes;
import io.procsys.fs.pace.CpuPacing;
import io.procsys.fuse.Capability;
import io.procsys.fuse.ConnectionInfo;
import io.procsys.fuse.DelegatingFilesystem;
import io.procsys.fuse.EntryParam;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import java.util.function.UnaryOperator;

/**
 * The cluster mount: the local mirror at the top level, and {@code hosts/<name>/} for every host
 * (this one included), each answered by its {@link Backend}; {@code .sys/}, not listed, holds the
 * /sys views exec puts in place ({@link SysViews}). A layer over the mirror: each
 * operation it answers differently (lookup, getattr, readlink, opendir, open) works out the
 * node's {@link Place} once and switches on it, and the rest is the mirror's. Files and
 * directories opened here go into the mirror's handle tables, so read, readdir and release are
 * the mirror's for every handle. Requests for a remote host are answered when its agent
 * replies, from a Netty thread: the upcall returns at once and the reply follows, never later
 * than the peer's deadline.
 */
public final class ClusterFs extends DelegatingFilesystem {
    public static final String HOSTS = Places.HOSTS;
    /** st_ino shown for hosts/ (a listed inode of 0 would be skipped by readdir(3); procfs stays far below this one). */
    private static final long HOSTS_INODE = 0x7fff_fff0L;

    private final ProcMirror local;
    private final ProcTree localTree;
    private final InodeTable inodes;
    private final HostSet hosts;
    private final Places places;
    private final FileAttributes hostsDirectory;
    private final CombinedFiles combined;
    private final Backend localHost;
    private final HostReads reads;
    private final BootTimes bootTimes;
    private final PidMap pids = new PidMap();
    private final PidRewriter rewriter = new PidRewriter(pids);
    private final CpuPacing pacing = new CpuPacing();
    /** This host's processes shown at the top, and the hosts hosts/ lists (a scope, docs/scope.md). */
    private volatile ScopeShown shown = ScopeShown.ALL;
    private final RootListing listing;

    /** {@code hosts} in the order they are listed; the local backend first by convention. */
    public ClusterFs(ProcTree localTree, List<Backend> hosts) {
        this(localTree, new HostSet(hosts), Duration.ZERO);
    }

    /**
     * As above, over a set of hosts that may change while mounted (hosts found through DNS);
     * {@code reuse} is how long a combined file may be served again (0: coalescing only).
     */
    public ClusterFs(ProcTree localTree, HostSet hosts, Duration reuse) {
        this(localTree, hosts, reuse, new UserLimits(UserLimits.Limits.DEFAULT), Rounds.DEFAULT);
    }

    /**
     * As above, holding every local user but root to {@code limits}; {@code rounds}: how long
     * combined files and listings wait, and what a host that misses one is served.
     */
    ClusterFs(ProcTree localTree, HostSet hosts, Duration reuse, UserLimits limits, Rounds rounds) {
        this(localTree, new ProcMirror(localTree, limits), hosts, reuse, rounds);
    }

    private ClusterFs(ProcTree localTree, ProcMirror local, HostSet hosts, Duration reuse, Rounds rounds) {
        super(local);
        this.localTree = localTree;
        this.local = local;
        this.inodes = local.inodes();
        this.hosts = hosts;
        this.bootTimes = new BootTimes(hosts);
        this.combined = new CombinedFiles(hosts, reuse, rounds, bootTimes);
        this.listing = new RootListing(hosts, pids, rounds);
        this.places = new Places(hosts, pids, new SysViews(combined));
        this.localHost = hosts.local();
        this.reads = new HostReads(localHost, local.hidePid(), local.limits());
        hosts.whenReused(this::indexReused);
        pids.groupsBy(hosts::groupOf); // a full pid map takes entries back from the tree holding the most
        long now = System.currentTimeMillis() / 1000;
        this.hostsDirectory = new FileAttributes(Stat.S_IFDIR | 0555, 0, 0, 2, 0, HOSTS_INODE, now, now, now);
    }

    /** Host index {@code index} goes to another host: nothing of the host that had it may show through it. */
    private void indexReused(int index) {
        pids.forgetHost(index);
        bootTimes.forget(index);
    }

    /**
     * Under a scope: the top level shows only this host's processes {@code local} lets through (a
     * lookup of another answers ENOENT, except the caller's own, so self works), and hosts/ only the
     * hosts {@code hostsInView} accepts.
     */
    public void showOnly(ExportedTree.ProcessFilter local, java.util.function.Predicate<Backend> hostsInView) {
        this.shown = new ScopeShown(local, hostsInView);
    }

    /** Whether top-level entry {@code name} is a process of this host the scope hides from the caller of {@code req}. */
    private boolean hiddenHere(Request req, Node parent, String name) {
        return parent != null && parent.id() == Node.ROOT_ID && shown.hides(name, () -> localTree.threadGroupOf(req.callerThreadId()));
    }

    public ProcMirror local() {
        return local;
    }

    /** The cluster pids of the hosts' processes and threads. */
    public PidMap pids() {
        return pids;
    }

    /** The view's boot and each host's measured here, with their skews (procsys status, metrics). */
    public ClockStatus clock() {
        return bootTimes.status();
    }

    /**
     * What this host's start times need to be on the view's clock, as a rewrite of a [pid]/stat
     * (null: nothing, this host booted first): a tree node's own process table goes up rebased
     * as its files through the mount do.
     */
    public UnaryOperator<String> localStartTimes() {
        long shift = bootTimes.localShiftSeconds();
        return shift == 0 ? null : text -> Rebase.stat(text, shift);
    }

    /** The hosts a share of the mount (pid map, host indices) was taken back from, for status. */
    public List<Offenders.Quota> offenders() {
        return Offenders.of(hosts, pids);
    }

    /** The combined files' fan-outs (their counts, for metrics). */
    CombinedFiles combined() {
        return combined;
    }

    @Override
    public void init(ConnectionInfo connection) {
        super.init(connection);
        // this layer answers readdir only: entries of remote hosts come without a local lookup
        connection.unwant(Capability.READDIRPLUS);
        connection.unwant(Capability.READDIRPLUS_AUTO);
    }

    /** Replies when {@code future} completes: {@code onValue} for a value, the errno for a failure. */
    private static <T> void answer(Request req, CompletableFuture<T> future, Consumer<T> onValue) {
        future.whenComplete((value, error) -> {
            try {
                if (error == null) {
                    onValue.accept(value);
                } else {
                    Throwable e = ErrnoException.unwrapped(error);
                    req.replyError(e instanceof ErrnoException r ? r.errno() : Errno.EIO);
                }
            } catch (Throwable t) {
                if (!req.replied()) req.replyError(Errno.EIO);
            }
        });
    }

    private void replyEntry(Request req, Node parent, String name, NodeKind kind, FileAttributes attributes) {
        EntryParam entry = req.newEntry();
        attributes.writeTo(entry.attr());
        Node node = inodes.lookup(parent, name, kind);
        entry.set(node.id(), CachePolicy.entrySeconds(kind, reads.perReader()), CachePolicy.attrSeconds(kind, reads.perReader()));
        if (req.replyEntry(entry) != 0) inodes.forget(node.id(), 1);
    }

    private void replyAttr(Request req, NodeKind kind, FileAttributes attributes) {
        MemorySegment st = req.statBuffer();
        attributes.writeTo(st);
        req.replyAttr(st, CachePolicy.attrSeconds(kind, reads.perReader()));
    }

    @Override
    public void lookup(Request req, long parentId, String name) {
        Node parent = inodes.get(parentId);
        switch (places.child(parent, name)) {
            case Place.HostsDirectory _ -> replyEntry(req, parent, name, NodeKind.HOSTS, hostsDirectory);
            case Place.NetDirectory _ -> answer(req, localHost.stat(Places.NET), a -> replyEntry(req, parent, name, NodeKind.GLOBAL, a));
            case Place.OnHost at -> answer(req, reads.stat(Reader.of(req), at), a -> replyEntry(req, parent, name, NodeKind.HOST, a));
            case Place.Gone _ -> req.replyError(Errno.ENOENT);
            case Place.Mirror _, Place.PidMax _, Place.Combined _ -> {
                if (hiddenHere(req, parent, name)) req.replyError(Errno.ENOENT);
                else local.lookup(req, parentId, name);
            }
        }
    }

    @Override
    public void getattr(Request req, long id) {
        Node node = inodes.get(id);
        switch (places.of(node)) {
            case Place.HostsDirectory _ -> replyAttr(req, node.kind(), hostsDirectory);
            case Place.NetDirectory _ -> answer(req, localHost.stat(Places.NET), a -> replyAttr(req, node.kind(), a));
            case Place.OnHost at -> answer(req, reads.stat(Reader.of(req), at), a -> replyAttr(req, node.kind(), a));
            case Place.Gone _ -> req.replyError(Errno.ENOENT);
            case Place.Mirror _, Place.PidMax _, Place.Combined _ -> local.getattr(req, id);
        }
    }

    @Override
    public void readlink(Request req, long id) {
        switch (places.of(inodes.get(id))) {
            // a remote process's sockets carry cluster-wide inodes, as in the combined net/ tables (netstat -p)
            case Place.OnHost at -> answer(req, reads.readlink(Reader.of(req), at),
                    text -> req.replyReadlink(at.clusterPid() ? socketLink(at.hostIndex(), text) : text));
            case Place.Gone _ -> req.replyError(Errno.ENOENT);
            default -> local.readlink(req, id);
        }
    }

    static String socketLink(int hostIndex, String text) {
        if (!text.startsWith("socket:[") || !text.endsWith("]")) return text;
        try {
            long inode = Long.parseLong(text.substring(8, text.length() - 1));
            return "socket:[" + SocketInodes.encode(hostIndex, inode) + "]";
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    @Override
    public void opendir(Request req, long id, FileInfo onStack) {
        if (id == Node.ROOT_ID) {
            openRoot(req, onStack.detachedCopy());
            return;
        }
        switch (places.of(inodes.get(id))) {
            case Place.NetDirectory _ -> answer(req, localHost.list(Places.NET), listingReply(req, onStack));
            case Place.HostsDirectory _ -> {
                List<ExportedTree.Entry> names = new ArrayList<>();
                for (HostSet.Member m : hosts.members()) {
                    if (shown.hosts().test(m.backend())) names.add(new ExportedTree.Entry(m.backend().name(), hostsDirectory));
                }
                listingReply(req, onStack).accept(names);
            }
            case Place.OnHost at -> {
                Consumer<List<ExportedTree.Entry>> reply = listingReply(req, onStack);
                answer(req, reads.list(Reader.of(req), at), entries -> reply.accept(at.listsThreads() ? threadIds(at, entries) : entries));
            }
            case Place.Gone _ -> req.replyError(Errno.ENOENT);
            case Place.Mirror _, Place.PidMax _, Place.Combined _ -> local.opendir(req, id, onStack);
        }
    }

    /** Answers an opendir with a listing, maybe later from a Netty thread: on a copy of the stack's fuse_file_info. */
    private Consumer<List<ExportedTree.Entry>> listingReply(Request req, FileInfo onStack) {
        FileInfo fileInfo = onStack.detachedCopy();
        return entries -> local.replyOpendir(req, fileInfo, new OpenDirectory(entries));
    }

    /** A remote process's task/ entries renamed to cluster thread ids, keyed with the process's start time. */
    private List<ExportedTree.Entry> threadIds(Place.OnHost at, List<ExportedTree.Entry> entries) {
        long startTime = pids.startTime(at.hostIndex(), Integer.parseInt(at.path().substring(0, at.path().indexOf('/'))));
        return listing.clusterPids(at.hostIndex(), entries, tid -> startTime);
    }

    /**
     * The root of a cluster mount: this host's /proc (with hosts/), then the processes of every
     * remote host, within one round (RootListing: late hosts served from their last table within
     * --stale-ms, or left out and said so).
     */
    private void openRoot(Request req, FileInfo fileInfo) {
        Reader reader = Reader.of(req);
        ProcTree.Dirents here = AsReader.get(reader, () -> localTree.list(ProcTree.cPath(".")), () -> new ProcTree.Dirents(List.of(), Errno.EACCES));
        if (here.failed()) {
            req.replyError(here.errno());
            return;
        }
        List<ExportedTree.Entry> entries = new ArrayList<>();
        java.util.function.IntPredicate listed = shown.listed();
        for (ProcTree.Dirent e : here.entries()) {
            if (ScopeShown.isPid(e.name()) && !listed.test(Integer.parseInt(e.name()))) continue;
            entries.add(new ExportedTree.Entry(e.name(), new FileAttributes(Stat.modeOfDirentType(e.type()), 0, 0, 0, 0, e.inode(), 0, 0, 0)));
        }
        entries.add(new ExportedTree.Entry(HOSTS, hostsDirectory));
        answer(req, reads.remote(reader, listing::remoteProcesses), remote -> {
            entries.addAll(reads.visibleProcesses(reader, remote));
            local.replyOpendir(req, fileInfo, new OpenDirectory(entries));
        });
    }

    @Override
    public void open(Request req, long id, FileInfo onStack) {
        Node node = inodes.get(id);
        Place place = places.of(node);
        if (place instanceof Place.Mirror || place instanceof Place.NetDirectory) {
            local.open(req, id, onStack, place instanceof Place.Mirror && isProcessStat(node) ? localStartTimes() : null);
            return;
        }
        if ((onStack.flags() & Libc.O_ACCMODE) != Libc.O_RDONLY) {
            req.replyError(Errno.EROFS);
            return;
        }
        Reader reader = Reader.of(req);
        UserLimits.Usage usage = local.takeHandle(req, reader);
        if (usage == null) return;
        FileInfo fileInfo = onStack.detachedCopy(); // replied to later, maybe from a Netty thread
        RenderedFile.Renderer again;
        CompletableFuture<Backend.Content> first;
        switch (place) {
            case Place.PidMax _ -> { // cluster pids reach 2^30: tools size their pid columns from this
                local.replyOpen(req, fileInfo, new OpenFile.Snapshot(Contents.of(PidMap.CLUSTER_PID_LIMIT + "\n")), usage);
                return;
            }
            case Place.Combined c -> {
                again = r -> reads.remote(r, () -> combined.read(c.path()));
                first = reads.remote(reader, () -> combined.read(c.path()));
            }
            case Place.OnHost at -> {
                first = read(at, node.name(), reads.read(reader, at, () -> at.backend().read(at.path(), reader.tid())));
                again = renderer(at, node.name(), first);
            }
            default -> { // gone, or hosts/
                usage.closeHandle();
                req.replyError(place instanceof Place.Gone ? Errno.ENOENT : Errno.EISDIR);
                return;
            }
        }
        answer(req, first.whenComplete((content, error) -> {
            if (error != null) usage.closeHandle();
        }), content -> local.replyOpen(req, fileInfo, new RenderedFile(content, again, reader), usage));
    }

    /** This host's [pid]/stat or [pid]/task/[tid]/stat: its start time is on the view's clock. */
    static boolean isProcessStat(Node node) {
        if (node == null || node.kind() != NodeKind.PROCESS || !node.name().equals("stat")) return false;
        String[] parts = node.path().split("/");
        return parts.length == 2 || (parts.length == 4 && parts[1].equals("task"));
    }

    /**
     * How a handle on {@code at} (whose first rendering is {@code first}) renders again: a process's
     * file only while the process has the start time it had at open ({@link SameProcess}).
     */
    private RenderedFile.Renderer renderer(Place.OnHost at, String name, CompletableFuture<Backend.Content> first) {
        ProcfsRules.InProcess in = at.inProcess() ? ProcfsRules.InProcess.of(at.path()) : null;
        if (in == null) return r -> readAgain(r, at, name);
        boolean thread = in.tid() != in.pid();
        int pid = thread ? in.tid() : in.pid();
        long known = thread ? PidMap.UNKNOWN : at.clusterPid() ? pids.startTime(at.hostIndex(), pid) : at.backend().startTimeSeen(pid);
        CompletableFuture<Long> expected = known >= 0 ? CompletableFuture.completedFuture(known)
                : first.thenCompose(opened -> SameProcess.startTime(at.backend(), pid)); // read after the open's: the same process, or a failure
        return r -> SameProcess.verified(readAgain(r, at, name), at.backend(), pid, expected);
    }

    /**
     * A host's file read again for a handle kept open (a read at 0): from the host itself, never
     * from a process table (a monitor that re-reads a pid's stat wants it live), and a process
     * that exited since answers ESRCH, as /proc does for a process file kept open.
     */
    private CompletableFuture<Backend.Content> readAgain(Reader reader, Place.OnHost at, String name) {
        CompletableFuture<Backend.Content> again = read(at, name, reads.read(reader, at, () -> at.backend().readAgain(at.path())));
        if (!at.inProcess()) return again;
        return again.exceptionallyCompose(error -> {
            Throwable e = ErrnoException.unwrapped(error);
            boolean exited = e instanceof ErrnoException r && r.errno() == Errno.ENOENT;
            return CompletableFuture.failedFuture(exited ? new ErrnoException(Errno.ESRCH, at.path() + " exited") : e);
        });
    }

    /** A remote process's or thread's stat with its CPU times paced (docs/aggregation.md, "CPU times of a late host"). */
    private String paced(String stat, Place.OnHost at) {
        return pacing.paced(stat, at.hostIndex(), at.path().contains("/task/"), bootTimes.cpus(at.hostIndex()));
    }

    /** {@code read}, a file of {@code at}, with its pids made cluster-wide where it is a remote process's (stat and status; others as they are). */
    private CompletableFuture<Backend.Content> read(Place.OnHost at, String name, CompletableFuture<Backend.Content> read) {
        if (!at.clusterPid()) return read;
        return switch (name) {
            case "stat" -> read.thenCombine(bootTimes.shiftSeconds(at.hostIndex()), (content, shift) -> Contents.transformed(content,
                    text -> Rebase.stat(rewriter.stat(paced(text, at), at.hostIndex()), shift)));
            case "status" -> read.thenApply(content -> Contents.transformed(content, text -> rewriter.status(text, at.hostIndex())));
            default -> read;
        };
    }
}
