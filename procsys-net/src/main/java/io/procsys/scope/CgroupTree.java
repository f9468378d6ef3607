package io.procsys.scope;

import io.procsys.posix.Libc;
import io.procsys.tree.ProcTree;
import io.procsys.tree.WholeFile;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup filesystems under one root ({@code /sys/fs/cgroup}, or a captured copy in tests),
 * read beneath its descriptor: small files whole, and the child cgroups of a cgroup. Paths are
 * relative to the root: a hierarchy's directory ({@link Hierarchies}) joined with a cgroup path.
 */
public final class CgroupTree implements CgroupFiles, AutoCloseable {
    /** Largest cgroup file read (a cgroup.procs of a huge cgroup is far smaller than this). */
    static final int MAX_FILE = 8 << 20;
    private static final int DT_DIR = 4, DT_LNK = 10;

    private final ProcTree root;

    private CgroupTree(ProcTree root) {
        this.root = root;
    }

    /** The tree at {@code root}; IllegalArgumentException with a user-facing reason when it cannot be opened. */
    public static CgroupTree open(Path root) {
        try {
            return new CgroupTree(ProcTree.open(root));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("proc root", "cgroup root"));
        }
    }

    public Path root() {
        return root.root();
    }

    /** {@code dir} (a hierarchy's directory, "" for the root) joined with absolute cgroup {@code path} and {@code file} ("" for none). */
    public static String join(String dir, String path, String file) {
        StringBuilder s = new StringBuilder(dir);
        if (!path.equals("/")) s.append(s.isEmpty() ? path.substring(1) : path);
        if (!file.isEmpty()) s.append(s.isEmpty() ? "" : "/").append(file);
        return s.isEmpty() ? "." : s.toString();
    }

    @Override
    public String read(String rel) {
        MemorySegment path = ProcTree.cPath(rel);
        if (path == null) return null;
        int fd = root.openForReading(path);
        if (fd < 0) return null;
        try {
            WholeFile whole = WholeFile.read(fd, MAX_FILE);
            if (whole.errno() != 0) return null;
            try {
                return new String(whole.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            } finally {
                whole.free();
            }
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public List<String> children(String rel) {
        return entries(rel, false);
    }

    /** The directories of directory {@code rel}, and with {@code links} its symbolic links too (how co-mounted hierarchies are named). */
    List<String> entries(String rel, boolean links) {
        MemorySegment path = ProcTree.cPath(rel + "/."); // a hierarchy's directory may be a link (cpu -> cpu,cpuacct)
        if (path == null) return null;
        ProcTree.Dirents listing = root.list(path);
        if (listing.failed()) return null;
        List<String> names = new ArrayList<>();
        for (ProcTree.Dirent d : listing.entries()) {
            if ((d.type() == DT_DIR || links && d.type() == DT_LNK) && !d.name().equals(".") && !d.name().equals("..")) names.add(d.name());
        }
        return names;
    }

    @Override
    public void close() {
        root.close();
    }
}
