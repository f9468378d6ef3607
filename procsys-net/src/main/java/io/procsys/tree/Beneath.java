package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How the export side opens a directory beneath the tree's root without ever following a symlink.
 *
 * <p>openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) does it in one call on Linux 5.6 and later.
 * Older kernels (RHEL 8's 4.18, Debian 10's 4.19) have no openat2, and seccomp sandboxes answer
 * ENOSYS to it too: systemd's {@code RestrictSUIDSGID=} cannot see the mode inside openat2's
 * struct, so it refuses the whole call; older container profiles answer EPERM. There the path is
 * walked one component at a time with openat(O_NOFOLLOW | O_DIRECTORY), each from the descriptor
 * of the one before. The guarantees are the same: {@link ExportPolicy} has already refused "..",
 * "." and empty components, so every step goes one level down, and a component that is a symlink
 * (magic links such as {@code <pid>/root} included) is never entered: ELOOP, as openat2 answers.
 *
 * <p>The way is chosen once per process, by a probe at first use, and logged.
 */
public enum Beneath {
    /** One openat2 call per path. */
    OPENAT2,
    /** One openat call per component. */
    COMPONENT_WALK;

    private static final System.Logger LOG = System.getLogger("io.procsys.tree");
    private static final long SAFE = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS;
    private static final int NO_FOLLOW_DIRECTORY = Libc.O_NOFOLLOW | Libc.O_DIRECTORY | Libc.O_CLOEXEC;
    private static volatile Beneath chosen;

    /** The way this process opens paths, probed on {@code dirFd} the first time. */
    public static Beneath chosen(int dirFd) {
        Beneath way = chosen;
        if (way == null) {
            way = probe(dirFd);
            chosen = way;
        }
        return way;
    }

    /** Tries openat2 once: only a refusal of the call itself (ENOSYS, EPERM) means it cannot be used. */
    static Beneath probe(int dirFd) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.openat2(dirFd, arena.allocateFrom("."), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, SAFE);
        }
        if (fd >= 0) {
            Libc.close(fd);
            LOG.log(System.Logger.Level.DEBUG, "paths beneath the proc root resolve with openat2");
            return OPENAT2;
        }
        if (fd == -Errno.ENOSYS || fd == -Errno.EPERM) {
            LOG.log(System.Logger.Level.INFO, "openat2 answers " + Errno.name(-fd)
                    + " (a kernel before 5.6, or a seccomp sandbox): paths beneath the proc root resolve one component at a time, no symlink followed");
            return COMPONENT_WALK;
        }
        return OPENAT2; // the call exists and refused this descriptor for another reason: it will answer each path itself
    }

    /**
     * Opens directory {@code path} ("" is {@code dirFd} itself) beneath {@code dirFd} with
     * {@code flags} (O_PATH or O_RDONLY; O_DIRECTORY and O_CLOEXEC are added): a descriptor or -errno.
     */
    public int openDirectory(int dirFd, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            if (path.isEmpty()) return Libc.openat(dirFd, arena.allocateFrom("."), flags | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (this == OPENAT2) return Libc.openat2(dirFd, arena.allocateFrom(path), flags | Libc.O_DIRECTORY | Libc.O_CLOEXEC, SAFE);
            return walk(arena, dirFd, path, flags);
        }
    }

    private static int walk(Arena arena, int dirFd, String path, int flags) {
        int at = dirFd;
        int start = 0;
        while (true) {
            int slash = path.indexOf('/', start);
            boolean last = slash < 0;
            MemorySegment name = arena.allocateFrom(last ? path.substring(start) : path.substring(start, slash));
            int fd = Libc.openat(at, name, (last ? flags : Libc.O_PATH) | NO_FOLLOW_DIRECTORY);
            if (fd == -Errno.ENOTDIR || fd == -Errno.ELOOP) fd = isSymlink(arena, at, name) ? -Errno.ELOOP : fd;
            if (at != dirFd) Libc.close(at);
            if (fd < 0 || last) return fd;
            at = fd;
            start = slash + 1;
        }
    }

    /** Whether {@code name} under {@code dirFd} is a symlink: what openat2 would have refused with ELOOP. */
    private static boolean isSymlink(Arena arena, int dirFd, MemorySegment name) {
        MemorySegment st = arena.allocate(Stat.LAYOUT);
        return Libc.fstatat(dirFd, name, st, Libc.AT_SYMLINK_NOFOLLOW) == 0 && Stat.isSymlink(Stat.mode(st));
    }
}
