package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A proc tree as an agent exports it: every access is checked by {@link ExportPolicy} and
 * resolved beneath the root without following any symlink ({@link Beneath}: openat2, or one
 * component at a time where openat2 is missing or filtered). In a live /proc, "net/..." is
 * answered from the agent's own process, i.e. the agent host's network namespace.
 *
 * <p>This is the export side, written once: an agent answers its peers' requests with
 * {@link #attributes}, {@link #entries}, {@link #linkText} and {@link #readWhole}, and the mount
 * answers for its own host under hosts/ with the same four, so every host there looks alike.
 */
public final class ExportedTree {
    private final ProcTree tree;
    private final String ownPid = Long.toString(ProcessHandle.current().pid());
    /** The processes shown (null: all of them). */
    private final ProcessFilter filter;

    public ExportedTree(ProcTree tree) {
        this(tree, null);
    }

    private ExportedTree(ProcTree tree, ProcessFilter filter) {
        this.tree = tree;
        this.filter = filter;
    }

    /**
     * Which processes a tree shows (a scope, docs/scope.md): the root's listing holds only those
     * {@link #listed} accepts, taken afresh for each listing; a path under any other pid (a process
     * or a thread id) is ENOENT unless {@link #visible}. Called on the threads that read the tree.
     */
    public interface ProcessFilter {
        /** The processes a listing of the root shows now. */
        java.util.function.IntPredicate listed();

        /** Whether the files of process or thread {@code pid} may be read. */
        boolean visible(int pid);
    }

    /** This tree showing only the processes {@code filter} lets through (the same tree and root descriptor). */
    public ExportedTree showing(ProcessFilter filter) {
        return new ExportedTree(tree, filter);
    }

    /** ENOENT when {@code path} is under a pid the filter hides, else 0. */
    private int hidden(String path) {
        if (filter == null) return 0;
        int slash = path.indexOf('/');
        int pid = pidOf(slash < 0 ? path : path.substring(0, slash));
        return pid < 0 || filter.visible(pid) ? 0 : Errno.ENOENT;
    }

    /** The pid a name of the root is, or -1 for any other name. */
    private static int pidOf(String name) {
        if (name.isEmpty() || name.length() > 9 || name.charAt(0) == '0') return -1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return -1;
        }
        return Integer.parseInt(name);
    }

    public ProcTree tree() {
        return tree;
    }

    /** What a request for one path gives: a value, or the errno that refused it. */
    public record Answer<T>(T value, int errno) {
        static <T> Answer<T> of(T value) {
            return new Answer<>(value, 0);
        }

        static <T> Answer<T> failed(int errno) {
            return new Answer<>(null, errno);
        }

        public boolean ok() {
            return errno == 0;
        }
    }

    /** The attributes of {@code path} (lstat). */
    public Answer<FileAttributes> attributes(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.LAYOUT);
            int rc = stat(path, st);
            return rc < 0 ? Answer.failed(-rc) : Answer.of(FileAttributes.of(st));
        }
    }

    /** The entries of directory {@code path}; a listing cut short by an error still answers what it read. */
    public Answer<List<Entry>> entries(String path) {
        Listing listing = list(path);
        return listing.errno() != 0 && listing.entries().isEmpty() ? Answer.failed(listing.errno()) : Answer.of(listing.entries());
    }

    /** The text of symlink {@code path}. */
    public Answer<String> linkText(String path) {
        LinkText link = readlink(path);
        return link.text() == null ? Answer.failed(link.errno()) : Answer.of(link.text());
    }

    /** Reads regular file {@code path} whole into {@code into}: 0, or the errno (EFBIG past the buffer's limit). */
    public int readWhole(String path, FileBuffer into) {
        int fd = openForRead(path);
        if (fd < 0) return -fd;
        try {
            int rc = WholeFile.readInto(fd, into);
            return rc == WholeFile.TOO_BIG ? Errno.EFBIG : rc;
        } finally {
            Libc.close(fd);
        }
    }

    /** A checked path, rewritten where needed, or an errno. */
    private record Target(String parent, String name, int errno) {}

    /** "net/..." of a live /proc is the agent's own (its host's) network view. */
    private String rewrite(String path) {
        return tree.isLive() && (path.equals("net") || path.startsWith("net/")) ? ownPid + "/" + path : path;
    }

    private Target target(String path) {
        int errno = ExportPolicy.checkPath(path);
        if (errno == 0) errno = hidden(path);
        if (errno != 0) return new Target(null, null, errno);
        path = rewrite(path);
        int slash = path.lastIndexOf('/');
        return slash < 0 ? new Target("", path, 0) : new Target(path.substring(0, slash), path.substring(slash + 1), 0);
    }

    /** Opens a directory beneath the root, no symlink followed: a descriptor or -errno. */
    private int openDirectory(String path, int flags) {
        return Beneath.chosen(tree.rootFd()).openDirectory(tree.rootFd(), path, flags);
    }

    /**
     * The directory holding {@code t}: for a top-level name the root's own descriptor (most of what
     * mounts ask for, such as loadavg or meminfo: an open and a close of "." fewer per request),
     * else one opened beneath the root. Give it back with {@link #closeParent}.
     */
    private int openParent(Target t) {
        return t.parent.isEmpty() ? tree.rootFd() : openDirectory(t.parent, Libc.O_PATH);
    }

    private void closeParent(int dir) {
        if (dir != tree.rootFd()) Libc.close(dir);
    }

    /** lstat of {@code path} into {@code stat}: 0 or -errno. */
    public int stat(String path, MemorySegment stat) {
        if (hidden(path) != 0) return -Errno.ENOENT;
        if (path.isEmpty()) {
            try (Arena arena = Arena.ofConfined()) {
                return Libc.fstatat(tree.rootFd(), arena.allocateFrom("."), stat, Libc.AT_SYMLINK_NOFOLLOW);
            }
        }
        Target t = target(path);
        if (t.errno != 0) return -t.errno;
        int dir = openParent(t);
        if (dir < 0) return dir;
        try (Arena arena = Arena.ofConfined()) {
            return Libc.fstatat(dir, arena.allocateFrom(t.name), stat, Libc.AT_SYMLINK_NOFOLLOW);
        } finally {
            closeParent(dir);
        }
    }

    /** A directory entry with its attributes (null attributes: the entry vanished while listing). */
    public record Entry(String name, FileAttributes attributes) implements DirectoryEntry {
        private static final FileAttributes UNKNOWN = new FileAttributes(0, 0, 0, 0, 0, 0, 0, 0, 0);

        @Override
        public void writeTo(MemorySegment st) {
            (attributes != null ? attributes : UNKNOWN).writeTo(st);
        }
    }

    /** A directory's entries, or the errno that stopped the listing. */
    public record Listing(List<Entry> entries, int errno) {}

    /** Lists a directory with the attributes of each entry ("." and ".." and denied names left out). */
    public Listing list(String path) {
        int check = ExportPolicy.checkPath(path);
        if (check == 0) check = hidden(path);
        if (check != 0) return new Listing(List.of(), check);
        return listAll(path, path.isEmpty() && filter != null ? filter.listed() : null);
    }

    /** The listing of {@code path}; with {@code listed}, only the processes it accepts (the others are not even stat'ed). */
    private Listing listAll(String path, java.util.function.IntPredicate listed) {
        String dirPath = rewrite(path);
        int dir = openDirectory(dirPath, Libc.O_RDONLY);
        if (dir < 0) return new Listing(List.of(), -dir);
        int statDir = openDirectory(dirPath, Libc.O_PATH); // readDirectory closes the descriptor it reads
        List<String> names = new ArrayList<>();
        int rc = Libc.readDirectory(dir, (name, type, inode) -> {
            if (!name.equals(".") && !name.equals("..") && !ExportPolicy.DENIED_NAMES.contains(name)) names.add(name);
        });
        if (listed != null) names.removeIf(name -> pidOf(name) >= 0 && !listed.test(pidOf(name)));
        List<Entry> entries = new ArrayList<>(names.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.LAYOUT);
            for (String name : names) {
                boolean ok = statDir >= 0 && Libc.fstatat(statDir, arena.allocateFrom(name), st, Libc.AT_SYMLINK_NOFOLLOW) == 0;
                entries.add(new Entry(name, ok ? FileAttributes.of(st) : null));
            }
        } finally {
            if (statDir >= 0) Libc.close(statDir);
        }
        return new Listing(entries, rc < 0 ? -rc : 0);
    }

    /** A symlink's text, or the errno. */
    private record LinkText(String text, int errno) {}

    /** The text of a symlink (never followed). */
    private LinkText readlink(String path) {
        Target t = target(path);
        if (t.errno != 0) return new LinkText(null, t.errno);
        int dir = openParent(t);
        if (dir < 0) return new LinkText(null, -dir);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Libc.PATH_MAX);
            long n = Libc.readlinkat(dir, arena.allocateFrom(t.name), buf, buf.byteSize());
            if (n < 0) return new LinkText(null, (int) -n);
            return new LinkText(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.UTF_8), 0);
        } finally {
            closeParent(dir);
        }
    }

    /**
     * A directory opened once beneath the root (no symlink followed), to read many of its entries
     * by name without resolving its path again: how process tables read a pid directory. Every
     * entry passes the same checks as single requests. Not thread-safe; close it.
     */
    public final class Directory implements AutoCloseable {
        private final int fd;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment st = arena.allocate(Stat.LAYOUT);
        /** The C string of the entry name being accessed (names are single components: ≤ 255 bytes). */
        private final MemorySegment name = arena.allocate(Libc.NAME_MAX + 1);
        private MemorySegment linkText;

        private Directory(int fd) {
            this.fd = fd;
        }

        /** {@code entry} as a C string in {@link #name}, or the errno that refuses it. */
        private int cName(String entry) {
            int check = ExportPolicy.checkName(entry);
            if (check != 0) return check;
            byte[] bytes = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length > Libc.NAME_MAX) return Errno.ENAMETOOLONG;
            MemorySegment.copy(bytes, 0, name, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            name.set(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
            return 0;
        }

        /** A file's attributes and whole content, or the errno that stopped it. */
        public record Read(FileAttributes attributes, WholeFile file, int errno) {}

        /** The attributes of entry {@code name} (lstat), or null with {@code errno[0]} set. */
        public FileAttributes stat(String entry, int[] errno) {
            int check = cName(entry);
            int rc = check != 0 ? -check : Libc.fstatat(fd, name, st, Libc.AT_SYMLINK_NOFOLLOW);
            if (rc < 0) {
                errno[0] = -rc;
                return null;
            }
            return FileAttributes.of(st);
        }

        /** Reads regular file {@code name} whole (at most {@code limit} bytes), as {@link #openForRead} allows. */
        public Read read(String entry, long limit) {
            int[] errno = new int[1];
            FileAttributes attributes = stat(entry, errno);
            if (attributes == null) return new Read(null, null, errno[0]);
            if (Stat.isDirectory(attributes.mode())) return new Read(attributes, null, Errno.EISDIR);
            if (!Stat.isRegular(attributes.mode())) return new Read(attributes, null, Errno.EINVAL);
            if (ExportPolicy.ownerOnly(attributes.mode())) return new Read(attributes, null, Errno.EACCES);
            int file = Libc.openat(fd, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
            if (file < 0) return new Read(attributes, null, -file);
            try {
                WholeFile whole = WholeFile.read(file, limit);
                return whole.errno() != 0 ? new Read(attributes, null, whole.errno()) : new Read(attributes, whole, 0);
            } finally {
                Libc.close(file);
            }
        }

        /** The text of symlink {@code name} (never followed), or null with {@code errno[0]} set. */
        public String readlink(String entry, int[] errno) {
            int check = cName(entry);
            if (check != 0) {
                errno[0] = check;
                return null;
            }
            if (linkText == null) linkText = arena.allocate(Libc.PATH_MAX);
            MemorySegment buf = linkText;
            long n = Libc.readlinkat(fd, name, buf, buf.byteSize());
            if (n < 0) {
                errno[0] = (int) -n;
                return null;
            }
            return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            Libc.close(fd);
            arena.close();
        }
    }

    /** Opens directory {@code path} for {@link Directory} reads: the directory, or null with {@code errno[0]} set. */
    public Directory directory(String path, int[] errno) {
        int check = ExportPolicy.checkPath(path);
        if (check == 0) check = hidden(path);
        if (check != 0) {
            errno[0] = check;
            return null;
        }
        int fd = openDirectory(rewrite(path), Libc.O_PATH);
        if (fd < 0) {
            errno[0] = -fd;
            return null;
        }
        return new Directory(fd);
    }

    /**
     * Opens a file for a whole-file read: a descriptor or -errno. Refuses owner-only files and
     * anything that is not a regular file.
     */
    public int openForRead(String path) {
        Target t = target(path);
        if (t.errno != 0) return -t.errno;
        int dir = openParent(t);
        if (dir < 0) return dir;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(t.name);
            MemorySegment st = arena.allocate(Stat.LAYOUT);
            int rc = Libc.fstatat(dir, name, st, Libc.AT_SYMLINK_NOFOLLOW);
            if (rc < 0) return rc;
            if (Stat.isDirectory(Stat.mode(st))) return -Errno.EISDIR;
            if (!Stat.isRegular(Stat.mode(st))) return -Errno.EINVAL;
            if (ExportPolicy.ownerOnly(Stat.mode(st))) return -Errno.EACCES;
            return Libc.openat(dir, name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        } finally {
            closeParent(dir);
        }
    }
}
