package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;

import java.util.Set;

/**
 * What an agent refuses to export, in one place (documented in docs/security.md, "Guarantees and threat model").
 *
 * <ul>
 *   <li>Paths: only relative paths of plain components; no "", ".", "..", no leading or double
 *       "/", no NUL, at most PATH_MAX (4096) bytes. Resolution never follows a symlink ({@link Beneath}:
 *       openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or openat(O_NOFOLLOW) per component), so {@code <pid>/root}, {@code cwd}, {@code exe},
 *       {@code fd/*} and {@code map_files/*} can be read as link text but never entered.</li>
 *   <li>Secrets: the files named in {@link #DENIED_NAMES} anywhere in the tree, and every
 *       regular file that others may not read (mode without o+r, e.g. {@code environ},
 *       {@code stack}, {@code syscall}, {@code auxv}): EACCES.</li>
 * </ul>
 */
public final class ExportPolicy {
    /** Never exported, whatever their mode: memory, kernel logs and kernel addresses. */
    public static final Set<String> DENIED_NAMES = Set.of(
            "environ", "mem", "pagemap", "kcore", "kmsg", "kallsyms", "kpagecount", "kpageflags", "kpagecgroup",
            "sysrq-trigger", "clear_refs", "map_files");
    /** Largest file exported whole (a bigger one is EFBIG): /proc files are far smaller. */
    public static final int MAX_FILE = 16 << 20;

    private ExportPolicy() {}

    /** 0 if {@code path} is an acceptable relative path ("" is the root), else the errno to answer. */
    public static int checkPath(String path) {
        if (path.isEmpty()) return 0;
        if (path.length() > Libc.PATH_MAX) return Errno.ENAMETOOLONG;
        if (path.indexOf('\0') >= 0 || path.startsWith("/") || path.endsWith("/")) return Errno.EINVAL;
        for (String component : path.split("/", -1)) {
            int errno = checkName(component);
            if (errno != 0) return errno;
        }
        return 0;
    }

    /** 0 if {@code name} is an acceptable single path component (an entry of a checked directory), else the errno. */
    public static int checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) return Errno.EINVAL;
        return DENIED_NAMES.contains(name) ? Errno.EACCES : 0;
    }

    /** Whether a regular file with this mode is protected by its owner (no read for others). */
    public static boolean ownerOnly(int mode) {
        return Stat.isRegular(mode) && (mode & 0004) == 0;
    }
}
