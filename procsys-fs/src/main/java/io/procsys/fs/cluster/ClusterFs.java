package io.procsys.fs.cluster;

import io.procsys.fs.CachePolicy;
import io.procsys.fs.InodeTable;
import io.procsys.fs.Node;
import io.procsys.fs.NodeKind;
import io.procsys.fs.ProcMirror;
import io.procsys.fs.combine.PidCodec;
import io.procsys.fs.combine.SocketInodes;
import io.procsys.fuse.ConnectionInfo;
import io.procsys.fuse.DirectoryBuffer;
import io.procsys.fuse.EntryParam;
import io.procsys.fuse.Errno;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.FuseFilesystem;
import io.procsys.fuse.Libc;
import io.procsys.fuse.Request;
import io.procsys.fuse.Stat;
import io.procsys.fuse.bindings.fuse_lowlevel_h;
import io.procsys.net.client.RemoteError;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The cluster mount: the local mirror at the top level, and {@code hosts/<name>/} for every host
 * (this one included), each answered by its {@link Backend}. Requests for a remote host are
 * answered when its agent replies, from a Netty thread: the upcall returns at once and the reply
 * follows, never later than the peer's deadline.
 */
public final class ClusterFs implements FuseFilesystem {
    public static final String HOSTS = "hosts";
    /**
     * In /proc, "net" is a link to self/net. Here it is a directory (this host's network files, the
     * combined ones combined), so that /proc/net/dev means the cluster's interfaces.
     */
    static final String NET = "net";
    static final String PID_MAX = "sys/kernel/pid_max";
    /** Handles of this layer carry this bit; the local mirror's never do. */
    private static final long OWN_HANDLE = 1L << 62;
    /** st_ino shown for hosts/ (a listed inode of 0 would be skipped by readdir(3); procfs stays far below this one). */
    private static final long HOSTS_INODE = 0x7fff_fff0L;

    private final ProcMirror local;
    private final ProcTree localTree;
    private final InodeTable inodes;
    private final HostSet hosts;
    private final Map<Long, List<ExportedTree.Entry>> listings = new ConcurrentHashMap<>();
    private final Map<Long, Backend.Content> contents = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final FileAttributes hostsDirectory;
    private final CombinedFiles combined;
    private final Backend localHost;
    private final BootTimes bootTimes;

    /** {@code hosts} in the order they are listed; the local backend first by convention. */
    public ClusterFs(ProcTree localTree, List<Backend> hosts) {
        this(localTree, new HostSet(hosts), java.time.Duration.ZERO);
    }

    /**
     * As above, over a set of hosts that may change while mounted (hosts found through DNS);
     * {@code reuse} is how long a combined file may be served again (0: coalescing only).
     */
    public ClusterFs(ProcTree localTree, HostSet hosts, java.time.Duration reuse) {
        this.localTree = localTree;
        this.local = new ProcMirror(localTree);
        this.inodes = local.inodes();
        this.hosts = hosts;
        this.combined = new CombinedFiles(hosts, reuse);
        this.localHost = hosts.local();
        this.bootTimes = new BootTimes(hosts);
        long now = System.currentTimeMillis() / 1000;
        this.hostsDirectory = new FileAttributes(Stat.S_IFDIR | 0555, 0, 0, 2, 0, HOSTS_INODE, now, now, now);
    }

    public ProcMirror local() {
        return local;
    }

    @Override
    public void init(ConnectionInfo connection) {
        local.init(connection);
        // this layer answers readdir only: entries of remote hosts come without a local lookup
        connection.unwant(fuse_lowlevel_h.FUSE_CAP_READDIRPLUS());
        connection.unwant(fuse_lowlevel_h.FUSE_CAP_READDIRPLUS_AUTO());
    }

    private static boolean ours(Node node) {
        return node != null && (node.kind() == NodeKind.HOSTS || node.kind() == NodeKind.HOST);
    }

    private static boolean ours(FileInfo fileInfo) {
        return (fileInfo.handle() & OWN_HANDLE) != 0;
    }

    /**
     * Where a node of this layer lives: which host, and the path in that host's own tree.
     * hosts/NAME/rest → NAME's "rest"; a cluster pid directory ENC/rest → host hostIndex(ENC),
     * path "localPid(ENC)/rest" (thread ids under task/ decoded the same way).
     */
    private record Resolved(Backend backend, int hostIndex, String path, boolean clusterPid) {
        String child(String name) {
            String local = clusterPid && path.endsWith("/task") ? decodedPid(name) : name;
            return path.isEmpty() ? local : path + "/" + local;
        }
    }

    private static String decodedPid(String name) {
        return NodeKind.isPid(name) && Integer.parseInt(name) < PidCodec.GLOBAL_PID_LIMIT
                ? Integer.toString(PidCodec.localPid(Integer.parseInt(name))) : name;
    }

    /** A top-level name that is the pid of a remote host's process. */
    private boolean isRemotePid(String name) {
        if (!NodeKind.isPid(name) || name.length() > 10) return false;
        long value = Long.parseLong(name);
        if (value >= PidCodec.GLOBAL_PID_LIMIT) return false;
        int index = PidCodec.hostIndex((int) value);
        return index > 0 && hosts.get(index) != null;
    }

    /** The host and path of a node of this layer, or null (and ENOENT replied) when the host is unknown. */
    private Resolved resolve(Request req, String nodePath) {
        if (nodePath.startsWith(HOSTS + "/")) {
            String rest = nodePath.substring(HOSTS.length() + 1);
            int slash = rest.indexOf('/');
            String host = slash < 0 ? rest : rest.substring(0, slash);
            Backend b = hosts.byName(host);
            if (b == null) {
                req.replyError(Errno.ENOENT);
                return null;
            }
            return new Resolved(b, hosts.indexOf(b), slash < 0 ? "" : rest.substring(slash + 1), false);
        }
        int slash = nodePath.indexOf('/');
        String first = slash < 0 ? nodePath : nodePath.substring(0, slash);
        int global = Integer.parseInt(first);
        String path = PidCodec.localPid(global) + (slash < 0 ? "" : nodePath.substring(slash));
        if (path.contains("/task/")) {
            String[] parts = path.split("/", 4);
            parts[2] = decodedPid(parts[2]);
            path = String.join("/", parts);
        }
        Backend b = hosts.get(PidCodec.hostIndex(global));
        if (b == null) { // the host left
            req.replyError(Errno.ENOENT);
            return null;
        }
        return new Resolved(b, PidCodec.hostIndex(global), path, true);
    }

    /** Replies when {@code future} completes: {@code onValue} for a value, the errno for a failure. */
    private static <T> void answer(Request req, CompletableFuture<T> future, Consumer<T> onValue) {
        future.whenComplete((value, error) -> {
            try {
                if (error == null) {
                    onValue.accept(value);
                } else {
                    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    req.replyError(e instanceof RemoteError r ? r.errno() : Errno.EIO);
                }
            } catch (Throwable t) {
                if (!req.replied()) req.replyError(Errno.EIO);
            }
        });
    }

    private Backend backend(Request req, String host) {
        Backend b = hosts.byName(host);
        if (b == null) req.replyError(Errno.ENOENT);
        return b;
    }

    private void replyEntry(Request req, Node parent, String name, NodeKind kind, FileAttributes attributes) {
        EntryParam entry = req.newEntry();
        attributes.writeTo(entry.attr());
        Node node = inodes.lookup(parent, name, kind);
        entry.set(node.id(), CachePolicy.entrySeconds(kind), CachePolicy.attrSeconds(kind));
        if (req.replyEntry(entry) != 0) inodes.forget(node.id(), 1);
    }

    @Override
    public void lookup(Request req, long parentId, String name) {
        Node parent = inodes.get(parentId);
        if (parent != null && parent.id() == Node.ROOT_ID && name.equals(HOSTS)) {
            replyEntry(req, parent, name, NodeKind.HOSTS, hostsDirectory);
        } else if (parent != null && parent.id() == Node.ROOT_ID && name.equals(NET)) {
            answer(req, localHost.stat(NET), attrs -> replyEntry(req, parent, name, NodeKind.GLOBAL, attrs));
        } else if (parent != null && parent.id() == Node.ROOT_ID && isRemotePid(name)) {
            int global = Integer.parseInt(name);
            Backend b = hosts.get(PidCodec.hostIndex(global));
            if (b == null) {
                req.replyError(Errno.ENOENT);
                return;
            }
            answer(req, b.stat(Integer.toString(PidCodec.localPid(global))), attrs -> replyEntry(req, parent, name, NodeKind.HOST, attrs));
        } else if (parent != null && parent.kind() == NodeKind.HOSTS) {
            Backend b = backend(req, name);
            if (b != null) answer(req, b.stat(""), attrs -> replyEntry(req, parent, name, NodeKind.HOST, attrs));
        } else if (parent != null && parent.kind() == NodeKind.HOST) {
            Resolved at = resolve(req, parent.path());
            if (at != null) answer(req, at.backend.stat(at.child(name)), attrs -> replyEntry(req, parent, name, NodeKind.HOST, attrs));
        } else {
            local.lookup(req, parentId, name);
        }
    }

    @Override
    public void forget(Request req, long id, long lookups) {
        local.forget(req, id, lookups);
    }

    private static boolean isNetDirectory(Node node) {
        return node != null && node.kind() == NodeKind.GLOBAL && node.path().equals(NET);
    }

    @Override
    public void getattr(Request req, long id) {
        Node node = inodes.get(id);
        if (isNetDirectory(node)) {
            answer(req, localHost.stat(NET), attrs -> {
                MemorySegment st = req.statBuffer();
                attrs.writeTo(st);
                req.replyAttr(st, CachePolicy.attrSeconds(node.kind()));
            });
            return;
        }
        if (!ours(node)) {
            local.getattr(req, id);
            return;
        }
        Consumer<FileAttributes> reply = attrs -> {
            MemorySegment st = req.statBuffer();
            attrs.writeTo(st);
            req.replyAttr(st, CachePolicy.attrSeconds(node.kind()));
        };
        if (node.kind() == NodeKind.HOSTS) {
            reply.accept(hostsDirectory);
            return;
        }
        Resolved at = resolve(req, node.path());
        if (at != null) answer(req, at.backend.stat(at.path), reply);
    }

    @Override
    public void readlink(Request req, long id) {
        Node node = inodes.get(id);
        if (node == null || node.kind() != NodeKind.HOST) {
            local.readlink(req, id);
            return;
        }
        Resolved at = resolve(req, node.path());
        if (at == null) return;
        // a remote process's sockets carry cluster-wide inodes, as in the combined net/ tables (netstat -p)
        answer(req, at.backend.readlink(at.path), text -> req.replyReadlink(at.clusterPid ? socketLink(at.hostIndex, text) : text));
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
        Node node = inodes.get(id);
        if (id == Node.ROOT_ID) {
            openRoot(req, onStack.detachedCopy());
            return;
        }
        if (!ours(node) && !isNetDirectory(node)) {
            local.opendir(req, id, onStack);
            return;
        }
        FileInfo fileInfo = onStack.detachedCopy(); // replied to later, maybe from a Netty thread
        Consumer<List<ExportedTree.Entry>> reply = entries -> {
            long handle = OWN_HANDLE | nextHandle.getAndIncrement();
            listings.put(handle, entries);
            fileInfo.setHandle(handle);
            if (req.replyOpen(fileInfo) != 0) listings.remove(handle);
        };
        if (isNetDirectory(node)) {
            answer(req, localHost.list(NET), reply);
            return;
        }
        if (node.kind() == NodeKind.HOSTS) {
            List<ExportedTree.Entry> names = new ArrayList<>();
            for (HostSet.Member m : hosts.members()) names.add(new ExportedTree.Entry(m.backend().name(), hostsDirectory));
            reply.accept(names);
            return;
        }
        Resolved at = resolve(req, node.path());
        if (at == null) return;
        boolean threads = at.clusterPid && at.path.endsWith("/task");
        answer(req, at.backend.list(at.path), entries -> reply.accept(threads ? encoded(at.hostIndex, entries) : entries));
    }

    /** Entries named by pid, renamed to cluster-wide pids of host {@code index}. */
    private static List<ExportedTree.Entry> encoded(int index, List<ExportedTree.Entry> entries) {
        List<ExportedTree.Entry> out = new ArrayList<>(entries.size());
        for (ExportedTree.Entry e : entries) {
            if (!NodeKind.isPid(e.name()) || Long.parseLong(e.name()) >= PidCodec.PID_LIMIT) continue;
            out.add(new ExportedTree.Entry(Integer.toString(PidCodec.encode(index, Integer.parseInt(e.name()))), e.attributes()));
        }
        return out;
    }

    /**
     * The root of a cluster mount: this host's /proc (with hosts/), then the processes of every
     * remote host that answers by the deadline, under their cluster-wide pids.
     */
    private void openRoot(Request req, FileInfo fileInfo) {
        ProcTree.Listing here = localTree.list(ProcTree.cPath("."));
        if (here.error() != 0 && here.entries().isEmpty()) {
            req.replyError(here.error());
            return;
        }
        List<ExportedTree.Entry> entries = new ArrayList<>();
        for (ProcTree.Entry e : here.entries()) {
            entries.add(new ExportedTree.Entry(e.name(), new FileAttributes(Stat.modeOfDirentType(e.type()), 0, 0, 0, 0, e.inode(), 0, 0, 0)));
        }
        entries.add(new ExportedTree.Entry(HOSTS, hostsDirectory));
        List<CompletableFuture<List<ExportedTree.Entry>>> remote = new ArrayList<>();
        for (HostSet.Member m : hosts.members()) {
            if (m.index() == 0) continue;
            remote.add(m.backend().list("").handle((list, error) -> error != null ? List.of() : encoded(m.index(), list)));
        }
        answer(req, CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new)), done -> {
            for (var f : remote) entries.addAll(f.join());
            long handle = OWN_HANDLE | nextHandle.getAndIncrement();
            listings.put(handle, entries);
            fileInfo.setHandle(handle);
            if (req.replyOpen(fileInfo) != 0) listings.remove(handle);
        });
    }

    @Override
    public void readdir(Request req, long id, long size, long offset, FileInfo fileInfo) {
        if (!ours(fileInfo)) {
            local.readdir(req, id, size, offset, fileInfo);
            return;
        }
        List<ExportedTree.Entry> entries = listings.get(fileInfo.handle());
        if (entries == null) {
            req.replyError(Errno.EBADF);
            return;
        }
        DirectoryBuffer out = req.directoryBuffer(size);
        MemorySegment st = req.statBuffer();
        for (int i = (int) offset; i < entries.size(); i++) {
            ExportedTree.Entry e = entries.get(i);
            FileAttributes a = e.attributes() != null ? e.attributes() : new FileAttributes(0, 0, 0, 0, 0, 0, 0, 0, 0);
            a.writeTo(st);
            if (!out.add(e.name(), st, i + 1)) break;
        }
        out.reply();
    }

    @Override
    public void releasedir(Request req, long id, FileInfo fileInfo) {
        if (!ours(fileInfo)) {
            local.releasedir(req, id, fileInfo);
            return;
        }
        listings.remove(fileInfo.handle());
        req.replyError(0);
    }

    @Override
    public void open(Request req, long id, FileInfo onStack) {
        Node node = inodes.get(id);
        if (node != null && node.kind() == NodeKind.GLOBAL && node.path().equals(PID_MAX)) {
            // cluster pids reach 2^30: tools size their pid columns from this
            replyOpen(req, onStack, Contents.of(PidCodec.GLOBAL_PID_LIMIT + "\n"));
            return;
        }
        boolean combinedFile = node != null && node.kind() == NodeKind.GLOBAL && CombinedFiles.isCombined(node.path());
        if (!ours(node) && !combinedFile) {
            local.open(req, id, onStack);
            return;
        }
        FileInfo fileInfo = onStack.detachedCopy(); // replied to later, maybe from a Netty thread
        if ((fileInfo.flags() & Libc.O_ACCMODE) != Libc.O_RDONLY) {
            req.replyError(Errno.EROFS);
            return;
        }
        if (node.kind() == NodeKind.HOSTS) {
            req.replyError(Errno.EISDIR);
            return;
        }
        CompletableFuture<Backend.Content> read;
        if (combinedFile) {
            read = combined.read(node.path());
        } else {
            Resolved at = resolve(req, node.path());
            if (at == null) return;
            read = at.clusterPid ? readRewritten(at, node.name()) : at.backend.read(at.path);
        }
        answer(req, read, content -> replyOpen(req, fileInfo, content));
    }

    /** Opens a handle on {@code content}: every read of it is a slice (direct_io, as for /proc). */
    private void replyOpen(Request req, FileInfo fileInfo, Backend.Content content) {
        long handle = OWN_HANDLE | nextHandle.getAndIncrement();
        contents.put(handle, content);
        fileInfo.setHandle(handle);
        fileInfo.setDirectIo(true);
        if (req.replyOpen(fileInfo) != 0) release(handle);
    }

    /** A remote process's file with its pids made cluster-wide (stat and status; others as they are). */
    private CompletableFuture<Backend.Content> readRewritten(Resolved at, String name) {
        CompletableFuture<Backend.Content> read = at.backend.read(at.path);
        return switch (name) {
            case "stat" -> read.thenCombine(bootTimes.deltaSeconds(at.hostIndex),
                    (content, delta) -> Contents.transformed(content, text -> PidRewriter.stat(text, at.hostIndex, delta)));
            case "status" -> read.thenApply(content -> Contents.transformed(content, text -> PidRewriter.status(text, at.hostIndex)));
            default -> read;
        };
    }

    @Override
    public void read(Request req, long id, long size, long offset, FileInfo fileInfo) {
        if (!ours(fileInfo)) {
            local.read(req, id, size, offset, fileInfo);
            return;
        }
        Backend.Content content = contents.get(fileInfo.handle());
        if (content == null) {
            req.replyError(Errno.EBADF);
            return;
        }
        MemorySegment data = content.bytes();
        long start = Math.min(offset, data.byteSize());
        req.replyBuffer(data.asSlice(start, Math.min(size, data.byteSize() - start)));
    }

    private void release(long handle) {
        Backend.Content content = contents.remove(handle);
        if (content != null) content.release();
    }

    @Override
    public void release(Request req, long id, FileInfo fileInfo) {
        if (!ours(fileInfo)) {
            local.release(req, id, fileInfo);
            return;
        }
        release(fileInfo.handle());
        req.replyError(0);
    }

    @Override
    public void statfs(Request req, long id) {
        local.statfs(req, id);
    }
}
