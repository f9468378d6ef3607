package io.procsys.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static io.procsys.posix.NativeCalls.CAPTURE;
import static io.procsys.posix.NativeCalls.errno;
import static io.procsys.posix.NativeCalls.errnoCall;
import static io.procsys.posix.NativeCalls.plainCall;
import static io.procsys.posix.NativeCalls.unexpected;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls procsys makes itself, written by hand because they need errno: jextract's
 * output cannot capture it. Every call returns its result or {@code -errno}, never throws for a
 * failed system call, and allocates nothing on the Java heap.
 */
public final class Libc {
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** Longest path, terminating NUL included (PATH_MAX). */
    public static final int PATH_MAX = 4096;
    /** Longest name of one directory entry (NAME_MAX). */
    public static final int NAME_MAX = 255;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0x40;
    public static final int O_TRUNC = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_NOFOLLOW = 0x20000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_PATH = 0x200000;

    /** statfs f_type of procfs. */
    public static final long PROC_SUPER_MAGIC = 0x9fa0L;
    /** statfs f_type of FUSE (a procsys mount, say), NFS, and SMB: reads there may wait on another process or host. */
    public static final long FUSE_SUPER_MAGIC = 0x65735546L, NFS_SUPER_MAGIC = 0x6969L, CIFS_SUPER_MAGIC = 0xff534d42L, SMB2_SUPER_MAGIC = 0xfe534d42L;


    private static final MethodHandle OPENAT = errnoCall("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(3));
    private static final MethodHandle OPENAT_CREATE = errnoCall("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(3));
    /** syscall(2), for openat2 (glibc 2.36 has no wrapper): number, dirfd, path, how, size. */
    private static final MethodHandle SYSCALL_OPENAT2 = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final long SYS_OPENAT2 = 437; // x86_64 and aarch64 share it
    private static final ThreadLocal<MemorySegment> OPEN_HOW = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(24, 8));
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    private static final MethodHandle CLOSE_RANGE = errnoCall("close_range", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;
    private static final MethodHandle DUP2 = errnoCall("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = errnoCall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FSTATAT = errnoCall("fstatat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle READLINKAT = errnoCall("readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle FSTATVFS = errnoCall("fstatvfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSTATFS = errnoCall("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETDENTS64 = errnoCall("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle UMASK = plainCall("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MALLOC = plainCall("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle REALLOC = plainCall("realloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = plainCall("free", FunctionDescriptor.ofVoid(ADDRESS));

    /** Size of struct statfs on 64-bit Linux (f_type is its first long). */
    public static final long STATFS_SIZE = 120;
    /** struct linux_dirent64: d_ino at 0, d_off at 8, d_reclen at 16, d_type at 18, d_name at 19. */
    static final long DIRENT_INO = 0;
    static final long DIRENT_RECLEN = 16;
    static final long DIRENT_TYPE = 18;
    static final long DIRENT_NAME = 19;
    private static final long DIRENT_BUFFER = 32 * 1024;

    private Libc() {}

    /** openat(2): a file descriptor or -errno. {@code path} is a NUL-terminated C string. */
    public static int openat(int dirFd, MemorySegment path, int flags) {
        MemorySegment capture = CAPTURE.get();
        try {
            int fd = (int) OPENAT.invokeExact(capture, dirFd, path, flags);
            return fd < 0 ? -errno(capture) : fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** openat(2) with O_CREAT: a file descriptor or -errno; {@code mode} applies to a new file. */
    public static int openat(int dirFd, MemorySegment path, int flags, int mode) {
        MemorySegment capture = CAPTURE.get();
        try {
            int fd = (int) OPENAT_CREATE.invokeExact(capture, dirFd, path, flags | O_CREAT, mode);
            return fd < 0 ? -errno(capture) : fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * openat2(2): opens {@code path} under {@code dirFd} with {@code resolve} restrictions (e.g.
     * {@link #RESOLVE_BENEATH} | {@link #RESOLVE_NO_SYMLINKS}): a descriptor or -errno.
     */
    public static int openat2(int dirFd, MemorySegment path, int flags, long resolve) {
        MemorySegment capture = CAPTURE.get();
        MemorySegment how = OPEN_HOW.get();
        how.set(JAVA_LONG, 0, flags & 0xffffffffL);
        how.set(JAVA_LONG, 8, 0L);
        how.set(JAVA_LONG, 16, resolve);
        try {
            long fd = (long) SYSCALL_OPENAT2.invokeExact(capture, SYS_OPENAT2, (long) dirFd, path, how, 24L);
            return fd < 0 ? -errno(capture) : (int) fd;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Marks every descriptor from {@code first} up close-on-exec (close_range(2)): 0 or -errno. */
    public static int closeOnExecFrom(int first) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) CLOSE_RANGE.invokeExact(capture, first, -1, CLOSE_RANGE_CLOEXEC);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** dup2(2): {@code newFd} or -errno. */
    public static int dup2(int oldFd, int newFd) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) DUP2.invokeExact(capture, oldFd, newFd);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** read(2) into {@code buffer}: bytes read or -errno; retries EINTR. */
    public static long read(int fd, MemorySegment buffer, long count) {
        MemorySegment capture = CAPTURE.get();
        try {
            while (true) {
                long n = (long) READ.invokeExact(capture, fd, buffer, count);
                if (n >= 0) return n;
                int err = errno(capture);
                if (err != Errno.EINTR) return -err;
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pread(2) into {@code buffer}: bytes read or -errno; retries EINTR. */
    public static long pread(int fd, MemorySegment buffer, long count, long offset) {
        MemorySegment capture = CAPTURE.get();
        try {
            while (true) {
                long n = (long) PREAD.invokeExact(capture, fd, buffer, count, offset);
                if (n >= 0) return n;
                int err = errno(capture);
                if (err != Errno.EINTR) return -err;
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** close(2): 0 or -errno. */
    public static int close(int fd) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) CLOSE.invokeExact(capture, fd);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** fstatat(2) into a {@code struct stat} segment: 0 or -errno. */
    public static int fstatat(int dirFd, MemorySegment path, MemorySegment stat, int flags) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) FSTATAT.invokeExact(capture, dirFd, path, stat, flags);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** readlinkat(2): bytes of link text placed in {@code buffer} (not NUL-terminated) or -errno. */
    public static long readlinkat(int dirFd, MemorySegment path, MemorySegment buffer, long size) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) READLINKAT.invokeExact(capture, dirFd, path, buffer, size);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** fstatvfs(3) into a {@code struct statvfs} segment: 0 or -errno. */
    public static int fstatvfs(int fd, MemorySegment statvfs) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) FSTATVFS.invokeExact(capture, fd, statvfs);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The filesystem magic (statfs f_type) of an open file, or -errno. */
    public static long filesystemType(int fd) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATFS_SIZE, 8);
            int r = (int) FSTATFS.invokeExact(capture, fd, buf);
            return r < 0 ? -errno(capture) : buf.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Reads every entry of the directory open as {@code fd} with getdents64(2) and hands each to
     * {@code visitor}; closes {@code fd}. Returns 0 or -errno. (readdir(3) cannot tell the end of
     * a directory from an error without writing errno first, which a downcall cannot do safely.)
     */
    public static int readDirectory(int fd, DirectoryVisitor visitor) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(DIRENT_BUFFER, 8);
            while (true) {
                long n = (long) GETDENTS64.invokeExact(capture, fd, buf, DIRENT_BUFFER);
                if (n == 0) return 0;
                if (n < 0) {
                    int err = errno(capture);
                    if (err == Errno.EINTR) continue;
                    return -err;
                }
                for (long off = 0; off < n; ) {
                    int reclen = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, off + DIRENT_RECLEN));
                    visitor.entry(buf.getString(off + DIRENT_NAME),
                            Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, off + DIRENT_TYPE)),
                            buf.get(JAVA_LONG, off + DIRENT_INO));
                    off += reclen;
                }
            }
        } catch (Throwable t) {
            throw unexpected(t);
        } finally {
            close(fd);
        }
    }

    /** One directory entry as getdents64(2) gives it. */
    @FunctionalInterface
    public interface DirectoryVisitor {
        void entry(String name, int type, long inode);
    }

    /** umask(2): sets the process's file mode creation mask, returns the one before. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** malloc(3) of {@code size} bytes as a segment of that size, or NULL. */
    public static MemorySegment malloc(long size) {
        try {
            MemorySegment p = (MemorySegment) MALLOC.invokeExact(size);
            return p.equals(MemorySegment.NULL) ? p : p.reinterpret(size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** realloc(3): the moved segment of {@code size} bytes, or NULL (the old block then stays valid). */
    public static MemorySegment realloc(MemorySegment block, long size) {
        try {
            MemorySegment p = (MemorySegment) REALLOC.invokeExact(block, size);
            return p.equals(MemorySegment.NULL) ? p : p.reinterpret(size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** free(3). */
    public static void free(MemorySegment block) {
        try {
            FREE.invokeExact(block);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
