package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_lowlevel_ops;
import io.procsys.posix.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Builds libfuse's {@code struct fuse_lowlevel_ops} from a {@link FuseFilesystem}: one upcall
 * stub per operation. Each stub turns native arguments into Java ones and guards the call: an
 * exception never crosses back into C (it would end the JVM); it is logged once per kind in
 * {@link UpcallFailures} and the request is answered EIO if it was not answered yet.
 */
public final class UpcallDispatcher {
    private final FuseFilesystem fs;
    private final UpcallFailures failures;
    private final ReplySink replies;
    private final OperationTimer timer;

    /** A dispatcher whose replies go to {@code replies} ({@link ReplySink#LIBFUSE} in a session). */
    public UpcallDispatcher(FuseFilesystem fs, UpcallFailures failures, ReplySink replies) {
        this(fs, failures, replies, null);
    }

    /** As above, telling {@code timer} of every reply (null: nothing is timed, the clock is not read). */
    public UpcallDispatcher(FuseFilesystem fs, UpcallFailures failures, ReplySink replies, OperationTimer timer) {
        this.fs = fs;
        this.failures = failures;
        this.replies = replies;
        this.timer = timer;
    }

    /** Something a stub does with the request. */
    @FunctionalInterface
    private interface Body {
        void run(Request req);
    }

    private void guard(String operation, MemorySegment reqPointer, Body body) {
        guard(operation, Operation.MODIFY, reqPointer, body);
    }

    private void guard(String operation, Operation kind, MemorySegment reqPointer, Body body) {
        Request req = timer == null ? new Request(reqPointer, replies) : new Request.Timed(reqPointer, replies, timer, kind);
        try {
            body.run(req);
        } catch (Throwable failure) {
            failures.report(operation, failure);
            if (!req.replied()) {
                try {
                    if (operation.equals("forget")) req.replyNone(); else req.replyError(Errno.EIO);
                } catch (Throwable second) {
                    failures.report(operation + " (reply)", second);
                }
            }
        }
    }

    private void modify(String operation, MemorySegment req) {
        guard(operation, req, r -> fs.modify(r, operation));
    }

    static String cString(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * The ops struct, with its upcall stubs allocated in {@code arena} (which must outlive the
     * session). Every operation gets a stub; what a filesystem does not override answers with
     * {@link FuseFilesystem}'s default (ENOSYS, as libfuse does for an unset operation).
     * readdirplus is the one operation libfuse turns on by itself when set: it is unwanted before
     * {@link FuseFilesystem#init}, where a filesystem that answers it asks for it.
     */
    public MemorySegment operations(Arena arena) {
        MemorySegment ops = arena.allocate(fuse_lowlevel_ops.layout());
        fuse_lowlevel_ops.init(ops, fuse_lowlevel_ops.init.allocate((userdata, conn) -> {
            try {
                ConnectionInfo connection = new ConnectionInfo(conn);
                connection.unwant(Capability.READDIRPLUS);
                connection.unwant(Capability.READDIRPLUS_AUTO);
                fs.init(connection);
            } catch (Throwable failure) {
                failures.report("init", failure);
            }
        }, arena));
        fuse_lowlevel_ops.destroy(ops, fuse_lowlevel_ops.destroy.allocate(userdata -> {
            try {
                fs.destroy();
            } catch (Throwable failure) {
                failures.report("destroy", failure);
            }
        }, arena));
        reading(ops, arena);
        modifying(ops, arena);
        return ops;
    }

    /** The operations that look: one stub each, turning native arguments into Java ones. */
    private void reading(MemorySegment ops, Arena arena) {
        fuse_lowlevel_ops.lookup(ops, fuse_lowlevel_ops.lookup.allocate(
                (req, parent, name) -> guard("lookup", Operation.LOOKUP, req, r -> fs.lookup(r, parent, cString(name))), arena));
        fuse_lowlevel_ops.forget(ops, fuse_lowlevel_ops.forget.allocate(
                (req, node, lookups) -> guard("forget", Operation.FORGET, req, r -> fs.forget(r, node, lookups)), arena));
        fuse_lowlevel_ops.getattr(ops, fuse_lowlevel_ops.getattr.allocate(
                (req, node, fi) -> guard("getattr", Operation.GETATTR, req, r -> fs.getattr(r, node)), arena));
        fuse_lowlevel_ops.readlink(ops, fuse_lowlevel_ops.readlink.allocate(
                (req, node) -> guard("readlink", Operation.READLINK, req, r -> fs.readlink(r, node)), arena));
        fuse_lowlevel_ops.open(ops, fuse_lowlevel_ops.open.allocate(
                (req, node, fi) -> guard("open", Operation.OPEN, req, r -> fs.open(r, node, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.read(ops, fuse_lowlevel_ops.read.allocate(
                (req, node, size, offset, fi) -> guard("read", Operation.READ, req, r -> fs.read(r, node, size, offset, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.release(ops, fuse_lowlevel_ops.release.allocate(
                (req, node, fi) -> guard("release", Operation.RELEASE, req, r -> fs.release(r, node, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.opendir(ops, fuse_lowlevel_ops.opendir.allocate(
                (req, node, fi) -> guard("opendir", Operation.OPENDIR, req, r -> fs.opendir(r, node, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.readdir(ops, fuse_lowlevel_ops.readdir.allocate(
                (req, node, size, offset, fi) -> guard("readdir", Operation.READDIR, req, r -> fs.readdir(r, node, size, offset, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.readdirplus(ops, fuse_lowlevel_ops.readdirplus.allocate(
                (req, node, size, offset, fi) -> guard("readdirplus", Operation.READDIRPLUS, req, r -> fs.readdirplus(r, node, size, offset, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.releasedir(ops, fuse_lowlevel_ops.releasedir.allocate(
                (req, node, fi) -> guard("releasedir", Operation.RELEASEDIR, req, r -> fs.releasedir(r, node, new FileInfo(fi))), arena));
        fuse_lowlevel_ops.statfs(ops, fuse_lowlevel_ops.statfs.allocate(
                (req, node) -> guard("statfs", Operation.STATFS, req, r -> fs.statfs(r, node)), arena));
        fuse_lowlevel_ops.poll(ops, fuse_lowlevel_ops.poll.allocate(
                (req, node, fi, ph) -> guard("poll", Operation.POLL, req, r -> fs.poll(r, node, new FileInfo(fi), PollHandle.of(ph))), arena));
    }

    /** Every operation that would change the filesystem goes to {@link FuseFilesystem#modify}, named. */
    private void modifying(MemorySegment ops, Arena arena) {
        fuse_lowlevel_ops.setattr(ops, fuse_lowlevel_ops.setattr.allocate((req, node, attr, toSet, fi) -> modify("setattr", req), arena));
        fuse_lowlevel_ops.mknod(ops, fuse_lowlevel_ops.mknod.allocate((req, parent, name, mode, rdev) -> modify("mknod", req), arena));
        fuse_lowlevel_ops.mkdir(ops, fuse_lowlevel_ops.mkdir.allocate((req, parent, name, mode) -> modify("mkdir", req), arena));
        fuse_lowlevel_ops.unlink(ops, fuse_lowlevel_ops.unlink.allocate((req, parent, name) -> modify("unlink", req), arena));
        fuse_lowlevel_ops.rmdir(ops, fuse_lowlevel_ops.rmdir.allocate((req, parent, name) -> modify("rmdir", req), arena));
        fuse_lowlevel_ops.symlink(ops, fuse_lowlevel_ops.symlink.allocate((req, link, parent, name) -> modify("symlink", req), arena));
        fuse_lowlevel_ops.rename(ops, fuse_lowlevel_ops.rename.allocate((req, parent, name, newParent, newName, flags) -> modify("rename", req), arena));
        fuse_lowlevel_ops.link(ops, fuse_lowlevel_ops.link.allocate((req, node, newParent, newName) -> modify("link", req), arena));
        fuse_lowlevel_ops.write(ops, fuse_lowlevel_ops.write.allocate((req, node, buf, size, off, fi) -> modify("write", req), arena));
        fuse_lowlevel_ops.create(ops, fuse_lowlevel_ops.create.allocate((req, parent, name, mode, fi) -> modify("create", req), arena));
        fuse_lowlevel_ops.setxattr(ops, fuse_lowlevel_ops.setxattr.allocate((req, node, name, value, size, flags) -> modify("setxattr", req), arena));
        fuse_lowlevel_ops.removexattr(ops, fuse_lowlevel_ops.removexattr.allocate((req, node, name) -> modify("removexattr", req), arena));
        fuse_lowlevel_ops.fallocate(ops, fuse_lowlevel_ops.fallocate.allocate((req, node, mode, off, len, fi) -> modify("fallocate", req), arena));
        fuse_lowlevel_ops.copy_file_range(ops, fuse_lowlevel_ops.copy_file_range.allocate(
                (req, inIno, inOff, inFi, outIno, outOff, outFi, len, flags) -> modify("copy_file_range", req), arena));
    }
}
