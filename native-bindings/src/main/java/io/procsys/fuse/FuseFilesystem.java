package io.procsys.fuse;

import io.procsys.posix.Errno;

/**
 * The low-level FUSE operations, one method per request kind, with node ids (inode numbers) as
 * in libfuse's {@code fuse_lowlevel_ops}. Every method must send exactly one reply through
 * {@code req} (forget: {@link Request#replyNone()}); the defaults answer ENOSYS. Names arrive as
 * Strings (the kernel gives valid, '/'-free names). Methods run on libfuse's worker threads,
 * concurrently.
 */
public interface FuseFilesystem {

    /** Called once when the kernel connects: negotiate capabilities here. */
    default void init(ConnectionInfo connection) {}

    /** Called once when the session ends cleanly. */
    default void destroy() {}

    default void lookup(Request req, long parent, String name) {
        req.replyError(Errno.ENOSYS);
    }

    /** The kernel drops {@code lookups} references to {@code node}. */
    default void forget(Request req, long node, long lookups) {
        req.replyNone();
    }

    default void getattr(Request req, long node) {
        req.replyError(Errno.ENOSYS);
    }

    default void readlink(Request req, long node) {
        req.replyError(Errno.ENOSYS);
    }

    default void open(Request req, long node, FileInfo fileInfo) {
        req.replyError(Errno.ENOSYS);
    }

    default void read(Request req, long node, long size, long offset, FileInfo fileInfo) {
        req.replyError(Errno.ENOSYS);
    }

    default void release(Request req, long node, FileInfo fileInfo) {
        req.replyError(0);
    }

    default void opendir(Request req, long node, FileInfo fileInfo) {
        req.replyError(Errno.ENOSYS);
    }

    default void readdir(Request req, long node, long size, long offset, FileInfo fileInfo) {
        req.replyError(Errno.ENOSYS);
    }

    default void readdirplus(Request req, long node, long size, long offset, FileInfo fileInfo) {
        req.replyError(Errno.ENOSYS);
    }

    default void releasedir(Request req, long node, FileInfo fileInfo) {
        req.replyError(0);
    }

    default void statfs(Request req, long node) {
        req.replyError(Errno.ENOSYS);
    }

    /**
     * poll(2), select or epoll on an open file: answer the events ready now. {@code waiter} is
     * there when the caller waits: {@link PollHandle#notifyReady()} once it may be ready, else
     * {@link PollHandle#drop()}. ENOSYS (the default) makes the kernel answer every later poll of
     * the mount itself, "always ready", with no POLLPRI ever.
     */
    default void poll(Request req, long node, FileInfo fileInfo, PollHandle waiter) {
        waiter.drop();
        req.replyError(Errno.ENOSYS);
    }

    /**
     * Every request that would change the filesystem (setattr, mknod, mkdir, unlink, rmdir,
     * symlink, rename, link, write, create, setxattr, removexattr, fallocate, copy_file_range)
     * lands here; {@code operation} names it. A read-only filesystem answers EROFS.
     */
    default void modify(Request req, String operation) {
        req.replyError(Errno.ENOSYS);
    }
}
