package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The proc tree being served: the real /proc or a captured copy. Every access goes through a
 * descriptor of the tree's root with a relative path (openat/fstatat), never following a symlink
 * in the last component, and returns {@code -errno} on failure so the source's own errors reach
 * the caller unchanged.
 */
public final class ProcTree implements AutoCloseable {
    private static final ThreadLocal<MemorySegment> PATH_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(Libc.PATH_MAX));

    private final Path root;
    private final int rootFd;
    private final boolean live;
    private final boolean mayWait;

    private ProcTree(Path root, int rootFd, boolean live, boolean mayWait) {
        this.root = root;
        this.rootFd = rootFd;
        this.live = live;
        this.mayWait = mayWait;
    }

    /** Opens {@code root}; throws IllegalArgumentException with a user-facing message when it cannot. */
    public static ProcTree open(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.openat(Libc.AT_FDCWD, arena.allocateFrom(absolute.toString()),
                    Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        }
        if (fd < 0) {
            throw new IllegalArgumentException("cannot open proc root " + absolute + ": " + Errno.name(-fd)
                    + (fd == -Errno.ENOTDIR ? " (not a directory)" : ""));
        }
        long type = Libc.filesystemType(fd);
        boolean mayWait = type == Libc.FUSE_SUPER_MAGIC || type == Libc.NFS_SUPER_MAGIC || type == Libc.CIFS_SUPER_MAGIC || type == Libc.SMB2_SUPER_MAGIC;
        return new ProcTree(absolute, fd, type == Libc.PROC_SUPER_MAGIC, mayWait);
    }

    int rootFd() {
        return rootFd;
    }

    public Path root() {
        return root;
    }

    /**
     * Whether a read here may wait on another process or host: a FUSE mount (a tree node's own
     * procsys view) or a network filesystem. A procfs or a capture on a local disk answers from
     * memory (the page cache, once warm).
     */
    public boolean mayWait() {
        return mayWait;
    }

    /** Whether this is a mounted procfs (then self/thread-self are answered per caller). */
    public boolean isLive() {
        return live;
    }

    /** A C string for {@code path} in this thread's path buffer (valid until its next use), or null if too long. */
    public static MemorySegment cPath(String path) {
        MemorySegment buffer = PATH_BUFFER.get();
        if (path.length() * 3L + 1 > Libc.PATH_MAX) return null;
        buffer.setString(0, path);
        return buffer;
    }

    /** lstat of a path in the tree into {@code stat}: 0 or -errno. */
    public int stat(MemorySegment path, MemorySegment stat) {
        if (path == null) return -Errno.ENAMETOOLONG;
        return Libc.fstatat(rootFd, path, stat, Libc.AT_SYMLINK_NOFOLLOW);
    }

    /** Opens a file of the tree for reading: a descriptor or -errno. */
    public int openForReading(MemorySegment path) {
        return Libc.openat(rootFd, path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
    }

    /** The text of a symlink of the tree into {@code buffer}: its length or -errno. */
    public long readlink(MemorySegment path, MemorySegment buffer) {
        return Libc.readlinkat(rootFd, path, buffer, buffer.byteSize());
    }

    /** One name of a directory as readdir(3) gives it: the inode number and the d_type. */
    public record Dirent(String name, int type, long inode) implements DirectoryEntry {
        @Override
        public void writeTo(MemorySegment st) {
            Stat.writeDirectoryEntry(st, inode, type);
        }
    }

    /** Lists a directory of the tree ("." and ".." included); throws nothing, the errno is in the result. */
    public Dirents list(MemorySegment path) {
        int fd = Libc.openat(rootFd, path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        if (fd < 0) return new Dirents(List.of(), -fd);
        List<Dirent> entries = new ArrayList<>();
        int rc = Libc.readDirectory(fd, (name, type, inode) -> entries.add(new Dirent(name, type, inode)));
        return new Dirents(entries, rc < 0 ? -rc : 0);
    }

    /** A directory's entries, and the errno that stopped reading it (0 when read to the end). */
    public record Dirents(List<Dirent> entries, int errno) {
        /** Nothing to list: the directory could not be read at all (a partial listing is served). */
        public boolean failed() {
            return errno != 0 && entries.isEmpty();
        }
    }

    /** statvfs of the tree's filesystem: 0 or -errno. */
    public int statvfs(MemorySegment statvfs) {
        return Libc.fstatvfs(rootFd, statvfs);
    }

    /** The thread group (process) id of thread {@code tid}, from its status file, or -errno. */
    public int threadGroupOf(int tid) {
        if (tid <= 0) return -Errno.ENOENT;
        MemorySegment path = cPath(tid + "/status");
        int fd = openForReading(path);
        if (fd < 0) return fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024);
            long n = Libc.read(fd, buf, buf.byteSize());
            if (n < 0) return (int) n;
            return ProcStatus.tgid(buf.asSlice(0, n));
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public void close() {
        Libc.close(rootFd);
    }
}
