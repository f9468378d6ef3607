package io.procsys.fs;

import io.procsys.fs.access.HidePid;
import io.procsys.fs.access.ProcfsRules;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fuse.Capability;
import io.procsys.fuse.ConnectionInfo;
import io.procsys.fuse.EntryParam;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.FuseFilesystem;
import io.procsys.fuse.PollHandle;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.UnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A read-only mirror of one proc tree, one small method per FUSE operation. It implements no
 * modifying operation: it is mounted "ro", so the kernel answers EROFS to every change itself. Attributes and
 * symlink texts come from the source as they are; files are rendered into native memory at open
 * and again at each read from offset 0, as procfs renders them ({@link OpenFiles},
 * {@link RenderedFile}); directories are listed once per opendir. self and thread-self of a
 * live /proc answer for the calling process, not for this daemon. A layer above (the cluster
 * mount) opens its own files and directories into the same handle tables
 * ({@link #replyOpen(Request, FileInfo, OpenFile)}, {@link #replyOpendir}): read, readdir and
 * release then serve every handle alike.
 */
public final class ProcMirror implements FuseFilesystem {
    private static final long LINK_MAX = 4096;

    private final ProcTree tree;
    private final InodeTable inodes = new InodeTable();
    private final Handles<Held> files = new Handles<>();
    private final Handles<OpenDirectory> directories = new Handles<>();
    private final SourcePolls polls = new SourcePolls();
    private final CallerProcesses callers;
    private final LocalReads reads;
    private final UserLimits limits;

    /** An open file, the user it is charged to, and the bytes charged for it here (a snapshot's; a rendered file charges its own). */
    private record Held(OpenFile file, UserLimits.Usage usage, long fixedBytes) {}

    public ProcMirror(ProcTree tree) {
        this(tree, new UserLimits(UserLimits.Limits.DEFAULT));
    }

    /** A mirror of {@code tree} whose users other than root are held to {@code limits}. */
    public ProcMirror(ProcTree tree, UserLimits limits) {
        this.tree = tree;
        this.callers = new CallerProcesses(tree);
        this.reads = new LocalReads(tree);
        this.limits = limits;
    }

    /** What each user may hold of this mount. */
    public UserLimits limits() {
        return limits;
    }

    /** Whether what readers see of pid directories differs between them (hidepid): then the kernel may cache none of it. */
    public boolean perReader() {
        return reads.perReader();
    }

    /** The hidepid= and subset= options of the tree's proc mount. */
    public HidePid hidePid() {
        return reads.hidePid();
    }

    public InodeTable inodes() {
        return inodes;
    }

    /** Files and directories currently open through the mount. */
    public int openHandles() {
        return files.size() + directories.size();
    }

    @Override
    public void init(ConnectionInfo connection) {
        connection.want(Capability.READDIRPLUS);
        connection.want(Capability.READDIRPLUS_AUTO);
        connection.want(Capability.PARALLEL_DIROPS);
        // Symlink texts must not be cached: self's text depends on who asks.
        connection.unwant(Capability.CACHE_SYMLINKS);
    }

    private Node node(Request req, long id) {
        Node node = inodes.get(id);
        if (node == null) req.replyError(Errno.ESTALE);
        return node;
    }

    @Override
    public void lookup(Request req, long parentId, String name) {
        Node parent = node(req, parentId);
        if (parent == null) return;
        EntryParam entry = req.newEntry();
        int rc = reads.stat(Reader.of(req), ProcTree.cPath(parent.childPath(name)), entry.attr());
        if (rc < 0) {
            req.replyError(-rc);
            return;
        }
        NodeKind kind = NodeKind.of(parent.kind(), name, tree.isLive());
        Node node = inodes.lookup(parent, name, kind);
        entry.set(node.id(), CachePolicy.entrySeconds(kind, perReader()), CachePolicy.attrSeconds(kind, perReader()));
        if (req.replyEntry(entry) != 0) {
            inodes.forget(node.id(), 1); // the kernel did not take the reference
        }
    }

    @Override
    public void forget(Request req, long id, long lookups) {
        inodes.forget(id, lookups);
        req.replyNone();
    }

    @Override
    public void getattr(Request req, long id) {
        Node node = node(req, id);
        if (node == null) return;
        MemorySegment st = req.statBuffer();
        int rc = reads.stat(Reader.of(req), node.cPath(), st);
        if (rc < 0) req.replyError(-rc);
        else req.replyAttr(st, CachePolicy.attrSeconds(node.kind(), perReader()));
    }

    @Override
    public void readlink(Request req, long id) {
        Node node = node(req, id);
        if (node == null) return;
        switch (node.kind()) {
            case SELF, THREAD_SELF -> readCallerLink(req, node.kind());
            default -> {
                MemorySegment buffer = req.buffer(LINK_MAX + 1);
                long n = reads.readlink(Reader.of(req), node, buffer.asSlice(0, LINK_MAX));
                if (n < 0) {
                    req.replyError((int) -n);
                    return;
                }
                buffer.set(JAVA_BYTE, n, (byte) 0);
                req.replyReadlink(buffer);
            }
        }
    }

    /** self → "tgid", thread-self → "tgid/task/tid", for the thread that made the request. */
    private void readCallerLink(Request req, NodeKind kind) {
        int tid = req.callerThreadId();
        int tgid = callers.processOf(tid, req.statBuffer());
        if (tgid < 0) {
            req.replyError(-tgid);
            return;
        }
        req.replyReadlink(kind == NodeKind.SELF ? Integer.toString(tgid) : tgid + "/task/" + tid);
    }

    @Override
    public void open(Request req, long id, FileInfo fileInfo) {
        open(req, id, fileInfo, null);
    }

    /**
     * As {@link #open(Request, long, FileInfo)}, every rendering of the file rewritten by
     * {@code rewrite} (null: none): a layer above changes a file's text, the handle is the mirror's.
     */
    public void open(Request req, long id, FileInfo fileInfo, UnaryOperator<String> rewrite) {
        if ((fileInfo.flags() & Libc.O_ACCMODE) != Libc.O_RDONLY || (fileInfo.flags() & Libc.O_TRUNC) != 0) {
            req.replyError(Errno.EROFS);
            return;
        }
        Node node = node(req, id);
        if (node == null) return;
        Reader reader = Reader.of(req);
        if (!tree.isLive() && !mayReadCapturedFile(req, reader, node)) {
            req.replyError(Errno.EACCES);
            return;
        }
        UserLimits.Usage usage = takeHandle(req, reader);
        if (usage == null) return;
        LocalReads.Opened opened = reads.open(reader, node, rewrite);
        if (opened.file() == null) {
            usage.closeHandle();
            req.replyError(opened.errno());
            return;
        }
        fileInfo.setNonSeekable(OpenFiles.STREAMS.contains(node.name()));
        replyOpen(req, fileInfo, opened.file(), usage);
    }

    /**
     * A handle of {@code reader}'s user, taken for an open under way (give it to {@link #replyOpen}
     * or back with {@code closeHandle}); null once the open is refused: EMFILE past the user's
     * handles, EAGAIN past its bytes (docs/security.md, "Bounds").
     */
    public UserLimits.Usage takeHandle(Request req, Reader reader) {
        UserLimits.Usage usage = limits.of(reader);
        int refused = usage.openHandle();
        if (refused == 0 && usage.bytesFull()) {
            usage.closeHandle();
            refused = Errno.EAGAIN;
        }
        if (refused == 0) return usage;
        req.replyError(refused);
        return null;
    }

    /**
     * Answers an open with {@code file} under a new handle of {@code usage}'s user (taken by
     * {@link #takeHandle}), whose bytes it is charged; every read is direct (no page cache, as for /proc).
     */
    public void replyOpen(Request req, FileInfo fileInfo, OpenFile file, UserLimits.Usage usage) {
        long fixed = file instanceof OpenFile.Snapshot ? file.heldBytes() : 0;
        if (!(fixed > 0 ? usage.charge(fixed) : file.chargeTo(usage))) {
            file.close();
            usage.closeHandle();
            req.replyError(Errno.EAGAIN);
            return;
        }
        long handle = files.add(new Held(file, usage, fixed));
        fileInfo.setHandle(handle);
        fileInfo.setDirectIo(true);
        if (req.replyOpen(fileInfo) != 0) {
            close(handle); // the opener went away: no release will come
        }
    }

    private void close(long handle) {
        Held held = files.remove(handle);
        if (held != null) {
            polls.forget(handle);
            held.file().close();
            held.usage().charge(-held.fixedBytes());
            held.usage().closeHandle();
        }
    }

    /**
     * A captured tree's files guarded by a ptrace check rather than their mode in /proc (maps is
     * 0444, yet another user's maps is refused): only root and the process's own user get them.
     * A live tree needs none of this: it is read with the reader's credentials (LocalReads).
     */
    private boolean mayReadCapturedFile(Request req, Reader reader, Node node) {
        if (node.kind() != NodeKind.PROCESS || reader.privileged()) return true;
        ProcfsRules.InProcess at = ProcfsRules.InProcess.of(node.path());
        if (at == null || ProcfsRules.processFile(at.rest()) != ProcfsRules.Check.PTRACE) return true;
        MemorySegment st = req.statBuffer();
        return tree.stat(node.cPath(), st) == 0 && Stat.uid(st) == reader.uid();
    }

    @Override
    public void read(Request req, long id, long size, long offset, FileInfo fileInfo) {
        Held held = files.get(fileInfo.handle());
        if (held == null) req.replyError(Errno.EBADF);
        else held.file().read(req, size, offset);
    }

    /** Answered by the file's source, as procfs answers (mounts: POLLPRI on a change): {@link SourcePolls}. */
    @Override
    public void poll(Request req, long id, FileInfo fileInfo, PollHandle waiter) {
        Held held = files.get(fileInfo.handle());
        OpenFile file = held == null ? null : held.file();
        if (file == null) {
            waiter.drop();
            req.replyError(Errno.EBADF);
            return;
        }
        file.polled();
        int source = file.pollSource();
        if (source < 0) {
            waiter.drop();
            req.replyPoll(SourcePolls.ALWAYS_READY);
        } else {
            req.replyPoll(polls.poll(fileInfo.handle(), source, fileInfo.pollEvents(), waiter));
        }
    }

    /** The session ends: no poller may be told anything after this. */
    @Override
    public void destroy() {
        polls.close();
    }

    @Override
    public void release(Request req, long id, FileInfo fileInfo) {
        close(fileInfo.handle());
        req.replyError(0);
    }

    @Override
    public void opendir(Request req, long id, FileInfo fileInfo) {
        Node node = node(req, id);
        if (node == null) return;
        ProcTree.Dirents listing = reads.list(Reader.of(req), node);
        if (listing.failed()) {
            req.replyError(listing.errno());
            return;
        }
        replyOpendir(req, fileInfo, new OpenDirectory(listing.entries()));
    }

    /** Answers an opendir with {@code directory} under a new handle. */
    public void replyOpendir(Request req, FileInfo fileInfo, OpenDirectory directory) {
        long handle = directories.add(directory);
        fileInfo.setHandle(handle);
        if (req.replyOpen(fileInfo) != 0) directories.remove(handle);
    }

    @Override
    public void readdir(Request req, long id, long size, long offset, FileInfo fileInfo) {
        OpenDirectory directory = directories.get(fileInfo.handle());
        if (directory == null) {
            req.replyError(Errno.EBADF);
            return;
        }
        MemorySegment st = req.statBuffer();
        req.directoryBuffer(size).fill(offset, directory.entries().size(), (out, i) -> directory.addTo(out, i, st));
    }

    /** readdir with a lookup of every entry: only for this tree's own directories (a cluster mount does not ask for it). */
    @Override
    public void readdirplus(Request req, long id, long size, long offset, FileInfo fileInfo) {
        Node parent = inodes.get(id);
        OpenDirectory directory = directories.get(fileInfo.handle());
        if (directory == null || parent == null || !directory.entries().isEmpty() && !(directory.entries().getFirst() instanceof ProcTree.Dirent)) {
            req.replyError(Errno.EBADF); // a listing of another layer: not this tree's to look up
            return;
        }
        @SuppressWarnings("unchecked")
        var entries = (List<ProcTree.Dirent>) directory.entries();
        Reader reader = Reader.of(req);
        req.directoryBuffer(size).fill(offset, entries.size(), (out, i) -> {
            ProcTree.Dirent e = entries.get(i);
            EntryParam entry = req.newEntry();
            if (e.name().equals(".") || e.name().equals("..")) {
                // No node for these: the kernel takes no reference when the id is 0.
                Stat.writeDirectoryEntry(entry.attr(), e.inode(), e.type());
                return out.addPlus(e.name(), entry, i + 1);
            }
            if (reads.stat(reader, ProcTree.cPath(parent.childPath(e.name())), entry.attr()) < 0) {
                return true; // gone since the listing (an exited process): leave it out
            }
            NodeKind kind = NodeKind.of(parent.kind(), e.name(), tree.isLive());
            Node node = inodes.lookup(parent, e.name(), kind);
            entry.set(node.id(), CachePolicy.entrySeconds(kind, perReader()), CachePolicy.attrSeconds(kind, perReader()));
            if (out.addPlus(e.name(), entry, i + 1)) return true;
            inodes.forget(node.id(), 1); // did not fit: the kernel took no reference
            return false;
        });
    }

    @Override
    public void releasedir(Request req, long id, FileInfo fileInfo) {
        directories.remove(fileInfo.handle());
        req.replyError(0);
    }

    @Override
    public void statfs(Request req, long id) {
        MemorySegment buf = req.statvfsBuffer();
        int rc = tree.statvfs(buf);
        if (rc < 0) req.replyError(-rc);
        else req.replyStatfs(buf);
    }
}
