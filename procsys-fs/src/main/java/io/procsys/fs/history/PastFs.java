package io.procsys.fs.history;

import io.procsys.fs.CachePolicy;
import io.procsys.fs.InodeTable;
import io.procsys.fs.Node;
import io.procsys.fs.NodeKind;
import io.procsys.fs.OpenDirectory;
import io.procsys.fs.OpenFile;
import io.procsys.fs.ProcMirror;
import io.procsys.fs.RenderedFile;
import io.procsys.fs.access.HidePid;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.cluster.Contents;
import io.procsys.fs.identity.PidMap;
import io.procsys.fuse.Capability;
import io.procsys.fuse.ConnectionInfo;
import io.procsys.fuse.DelegatingFilesystem;
import io.procsys.fuse.EntryParam;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A view of the cluster as it was (procsys mount --at): every recorded host's processes under
 * cluster pids and its system files combined at the top, each host's own tree under hosts/, all
 * as at the time its {@link PastView} shows (docs/history.md). Read-only; a handle read again at
 * offset 0 renders its file again at the time shown then, as procfs renders it now. A few names
 * stay this host's, from the local mirror: self, thread-self (and the caller's own pid they
 * lead to), sys/ (with pid_max the cluster's), tty/, mounts, filesystems; nothing else of this
 * host shows. {@code .past} (unlisted) tells the time shown.
 */
public final class PastFs extends DelegatingFilesystem {
    /** Top-level names the local mirror answers: what tools need of the host they run on. */
    static final Set<String> MIRRORED = Set.of("self", "thread-self", "sys", "tty", "mounts", "filesystems");
    /** The unlisted file that tells the time shown: "MILLIS YYYY-MM-DD HH:MM:SS running|paused". */
    public static final String CLOCK_FILE = ".past";
    static final String PID_MAX = "sys/kernel/pid_max";

    private final ProcMirror local;
    private final ProcTree localTree;
    private final InodeTable inodes;
    private final PastView view;
    private final PidMap pids;
    private final PastPlaces places;
    private final PastReads reads;
    private final PastFiles files;

    /** A view of {@code view} for the users of this host, each held to {@code limits}; hidepid= as this host's /proc has it. */
    public PastFs(ProcTree localTree, PastView view, UserLimits limits) {
        this(localTree, new ProcMirror(localTree, limits), view, new PastReads(HidePid.of(java.nio.file.Path.of("/proc"))));
    }

    PastFs(ProcTree localTree, ProcMirror local, PastView view, PastReads reads) {
        super(local);
        this.local = local;
        this.localTree = localTree;
        this.inodes = local.inodes();
        this.view = view;
        this.reads = reads;
        this.pids = view.pids();
        this.places = new PastPlaces(pids);
        this.files = new PastFiles(pids, reads);
    }

    public ProcMirror local() {
        return local;
    }

    @Override
    public void init(ConnectionInfo connection) {
        super.init(connection);
        connection.unwant(Capability.READDIRPLUS);
        connection.unwant(Capability.READDIRPLUS_AUTO);
    }

    /** Whether a node is the view's (else the local mirror's). */
    private static boolean isPast(Node node) {
        return node.kind() == NodeKind.HOST || node.kind() == NodeKind.HOSTS;
    }

    /** Whether a top-level name goes to the local mirror: the names above, and this host's pids (self leads to them). */
    static boolean mirrored(String name) {
        return MIRRORED.contains(name) || NodeKind.isPid(name) && Long.parseLong(name) < PidMap.HOST_PID_LIMIT;
    }

    /** The combined files the view has at {@code s}: those some present host recorded. */
    private static List<String> combinedPaths(PastView.Snapshot s) {
        Set<String> recorded = new java.util.TreeSet<>();
        for (PastView.HostAt h : s.present()) recorded.addAll(h.frame().files().keySet());
        return io.procsys.fs.combine.Aggregators.paths().stream().filter(recorded::contains).toList();
    }

    /** Runs {@code answer}, replying its errno when it fails (never out of an upcall). */
    private static void answering(Request req, Runnable answer) {
        try {
            answer.run();
        } catch (ErrnoException e) {
            req.replyError(e.errno());
        } catch (RuntimeException e) {
            if (!req.replied()) req.replyError(Errno.EIO);
        }
    }

    private PastPlaces.Place place(PastView.Snapshot s, String path) {
        PastPlaces.Place p = places.of(s, path, combinedPaths(s));
        if (p == null) throw new ErrnoException(Errno.ENOENT, path);
        return p;
    }

    @Override
    public void lookup(Request req, long parentId, String name) {
        Node parent = inodes.get(parentId);
        if (parent == null) {
            req.replyError(Errno.ESTALE);
            return;
        }
        boolean top = parent.id() == Node.ROOT_ID;
        if (top && name.equals(CLOCK_FILE)) {
            replyEntry(req, parent, name, NodeKind.HOST, clockAttributes());
        } else if (top ? mirrored(name) : !isPast(parent)) {
            local.lookup(req, parentId, name);
        } else {
            answering(req, () -> {
                PastView.Snapshot s = view.snapshot();
                String path = parent.childPath(name);
                PastPlaces.Place p = place(s, path);
                if (p instanceof PastPlaces.Process proc && proc.rest().isEmpty()) reads.checkVisible(Reader.of(req), proc.task(), true);
                replyEntry(req, parent, name, path.equals(PastPlaces.HOSTS) ? NodeKind.HOSTS : NodeKind.HOST, files.attributes(s, p));
            });
        }
    }

    private void replyEntry(Request req, Node parent, String name, NodeKind kind, FileAttributes attributes) {
        EntryParam entry = req.newEntry();
        attributes.writeTo(entry.attr());
        Node node = inodes.lookup(parent, name, kind);
        entry.set(node.id(), CachePolicy.entrySeconds(kind), CachePolicy.attrSeconds(kind));
        if (req.replyEntry(entry) != 0) inodes.forget(node.id(), 1);
    }

    @Override
    public void getattr(Request req, long id) {
        Node node = inodes.get(id);
        if (node == null || !isPast(node)) {
            local.getattr(req, id);
            return;
        }
        answering(req, () -> {
            FileAttributes a = node.path().equals(CLOCK_FILE) ? clockAttributes() : files.attributes(view.snapshot(), place(view.snapshot(), node.path()));
            MemorySegment st = req.statBuffer();
            a.writeTo(st);
            req.replyAttr(st, CachePolicy.attrSeconds(node.kind()));
        });
    }

    @Override
    public void readlink(Request req, long id) {
        Node node = inodes.get(id);
        if (node == null || !isPast(node)) {
            local.readlink(req, id);
            return;
        }
        answering(req, () -> req.replyReadlink(files.readlink(place(view.snapshot(), node.path()), Reader.of(req))));
    }

    @Override
    public void opendir(Request req, long id, FileInfo fileInfo) {
        Node node = inodes.get(id);
        if (id == Node.ROOT_ID) {
            answering(req, () -> local.replyOpendir(req, fileInfo, new OpenDirectory(rootListing(view.snapshot(), Reader.of(req)))));
        } else if (node == null || !isPast(node)) {
            local.opendir(req, id, fileInfo);
        } else {
            answering(req, () -> {
                PastView.Snapshot s = view.snapshot();
                local.replyOpendir(req, fileInfo, new OpenDirectory(files.list(s, place(s, node.path()), combinedPaths(s), Reader.of(req))));
            });
        }
    }

    /** The root: the mirrored names this host has, hosts/, the combined files, every present host's processes by cluster pid. */
    private List<ExportedTree.Entry> rootListing(PastView.Snapshot s, Reader reader) {
        List<ExportedTree.Entry> out = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(MIRRORED)) {
            ExportedTree.Entry e = localEntry(name);
            if (e != null) out.add(e);
        }
        out.add(new ExportedTree.Entry(PastPlaces.HOSTS, files.attributes(s, new PastPlaces.Hosts())));
        List<String> combined = combinedPaths(s);
        for (String name : PastFiles.children(combined, "")) out.add(new ExportedTree.Entry(name, files.attributes(s, place(s, name))));
        for (PastView.HostAt h : s.present()) {
            for (io.procsys.history.Task t : h.frame().tasks().values()) {
                if (t.isThread()) continue;
                ExportedTree.Entry e = files.clusterEntry(s, h, t, reader);
                if (e != null) out.add(e);
            }
        }
        return out;
    }

    private ExportedTree.Entry localEntry(String name) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment st = arena.allocate(io.procsys.posix.Stat.LAYOUT);
            return localTree.stat(ProcTree.cPath(name), st) == 0 ? new ExportedTree.Entry(name, FileAttributes.of(st)) : null;
        }
    }

    @Override
    public void open(Request req, long id, FileInfo onStack) {
        Node node = inodes.get(id);
        if (node != null && node.path().equals(PID_MAX)) {
            replyText(req, onStack, () -> PidMap.CLUSTER_PID_LIMIT + "\n");
            return;
        }
        if (node == null || !isPast(node)) {
            local.open(req, id, onStack);
            return;
        }
        if ((onStack.flags() & Libc.O_ACCMODE) != Libc.O_RDONLY) {
            req.replyError(Errno.EROFS);
            return;
        }
        if (node.path().equals(CLOCK_FILE)) {
            replyText(req, onStack, this::clockText);
            return;
        }
        Reader reader = Reader.of(req);
        String path = node.path();
        answering(req, () -> replyRendered(req, onStack, reader, () -> Contents.of(new String(render(path, reader), StandardCharsets.ISO_8859_1)),
                again -> renderAgain(path, again)));
    }

    /** Opens a handle (charged to {@code reader}'s user) whose first text is {@code first} and whose reads at 0 render {@code again}. */
    private void replyRendered(Request req, FileInfo fileInfo, Reader reader, Supplier<io.procsys.fs.cluster.Backend.Content> first,
                               RenderedFile.Renderer again) {
        UserLimits.Usage usage = local.takeHandle(req, reader);
        if (usage == null) return;
        try {
            local.replyOpen(req, fileInfo, new RenderedFile(first.get(), again, reader), usage);
        } catch (RuntimeException e) {
            usage.closeHandle();
            throw e;
        }
    }

    /** {@code path} at the time shown now, for {@code reader}. */
    private byte[] render(String path, Reader reader) {
        PastView.Snapshot s = view.snapshot();
        return files.read(s, place(s, path), reader);
    }

    /** A handle read again at 0: the file at the time shown now; a process that ended since answers ESRCH, as procfs does. */
    private CompletableFuture<io.procsys.fs.cluster.Backend.Content> renderAgain(String path, Reader reader) {
        try {
            return CompletableFuture.completedFuture(Contents.of(new String(render(path, reader), StandardCharsets.ISO_8859_1)));
        } catch (ErrnoException e) {
            boolean process = NodeKind.isPid(path.split("/")[0]) || path.startsWith(PastPlaces.HOSTS + "/") && path.split("/").length > 3;
            return CompletableFuture.failedFuture(e.errno() == Errno.ENOENT && process ? new ErrnoException(Errno.ESRCH, path + " ended") : e);
        }
    }

    /** A handle whose every read at 0 renders {@code text} again. */
    private void replyText(Request req, FileInfo fileInfo, Supplier<String> text) {
        answering(req, () -> replyRendered(req, fileInfo, Reader.of(req), () -> Contents.of(text.get()),
                again -> CompletableFuture.completedFuture(Contents.of(text.get()))));
    }

    private String clockText() {
        long tv = view.clock().nowMillis();
        return tv + " " + Times.format(tv) + " " + (view.clock().paused() ? "paused" : "running") + "\n";
    }

    private FileAttributes clockAttributes() {
        long now = view.clock().nowMillis() / 1000;
        return new FileAttributes(io.procsys.posix.Stat.S_IFREG | 0444, 0, 0, 1, 0, PastFiles.inode(CLOCK_FILE), now, now, now);
    }
}
