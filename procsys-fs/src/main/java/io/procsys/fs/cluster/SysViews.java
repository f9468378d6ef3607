package io.procsys.fs.cluster;

import io.procsys.fs.combine.SysBlockView;
import io.procsys.fs.combine.SysCpuView;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Stat;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The parts of /sys that `procsys exec` puts over the real ones on a cluster view, served live
 * by the mount under {@code .sys/} (a name the root answers but never lists, so process tools
 * scanning the root do not see it):
 * <ul>
 *   <li>{@code .sys/cpu} for {@code /sys/devices/system/cpu}: the files of {@link SysCpuView};</li>
 *   <li>{@code .sys/block} for {@code /sys/block}: a {@code stat} for every remote disk of
 *       {@link SysBlockView}.</li>
 * </ul>
 * Contents are made at open from the combined cpuinfo, stat and diskstats, so iostat sees remote
 * counters move and a host that joins shows its CPUs. Every other entry of this host's real
 * directory is a link: its own target when it is a link (/sys/block/vda), else the entry in
 * {@link #HOST_DIRECTORIES}, where exec binds the real directories. Answered as a {@link Backend}.
 */
public final class SysViews implements Backend {
    /** The top-level name of the views in a cluster mount. */
    public static final String DIRECTORY = ".sys";
    /**
     * Where exec binds this host's real directories (on a tmpfs of the command's private mount
     * namespace, never on the FUSE mount), as {@code cpu} and {@code block}.
     */
    public static final String HOST_DIRECTORIES = "/run/procsys/host-sys";
    /**
     * Each view under {@code .sys} and the real directory it replaces, in a fixed order: exec's
     * script binds them in it, and the launcher's copy of that script must stay the same text.
     */
    public static final SortedMap<String, Path> REPLACED = Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("cpu", Path.of("/sys/devices/system/cpu"), "block", Path.of("/sys/block"))));
    /** How long lookups and listings may use the last tree (opens always make it again). */
    private static final long STRUCTURE_NANOS = 1_000_000_000L;
    private static final Pattern CPU_N = Pattern.compile("cpu[0-9]+");
    /** st_ino of the views' entries: far above procfs's and {@code hosts/}'s, one per path. */
    private static final long INODE_BASE = 0x7ff0_0000_0000L;

    /** A tree with only its root, never changed: what .sys itself is. */
    private static final SysViewTree ROOT_ONLY = new SysViewTree();

    private final CombinedFiles combined;
    private volatile Built last;

    /** A tree and the combined texts it was made from. */
    private record Built(List<String> inputs, SysViewTree tree, long madeNanos) {}

    SysViews(CombinedFiles combined) {
        this.combined = combined;
    }

    @Override
    public String name() {
        return DIRECTORY;
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        // .sys itself is a directory whatever the hosts say: exec's check for it makes no tree (a fan-out, ~15 ms)
        if (path.isEmpty()) return CompletableFuture.completedFuture(attributes(ROOT_ONLY, path));
        return recent().thenApply(tree -> attributes(tree, path));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return recent().thenApply(tree -> {
            var names = found(tree.children(path), tree, path, Errno.ENOTDIR);
            List<ExportedTree.Entry> entries = new ArrayList<>(names.size());
            for (String name : names) entries.add(new ExportedTree.Entry(name, attributes(tree, childPath(path, name))));
            return entries;
        });
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return recent().thenApply(tree -> found(tree.link(path), tree, path, Errno.EINVAL));
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        return fresh().thenApply(tree -> Contents.of(found(tree.file(path), tree, path, Errno.EISDIR)));
    }

    /** {@code value} of {@code path}; if null, the errno that says why: ENOENT, or {@code otherKind} for a path of another kind. */
    private static <T> T found(T value, SysViewTree tree, String path, int otherKind) {
        if (value == null) throw new ErrnoException(tree.kind(path) == null ? Errno.ENOENT : otherKind, path);
        return value;
    }

    private static String childPath(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static FileAttributes attributes(SysViewTree tree, String path) {
        SysViewTree.Kind kind = tree.kind(path);
        if (kind == null) throw new ErrnoException(Errno.ENOENT, path);
        long inode = INODE_BASE + (path.hashCode() & 0xffff_ffffL);
        long now = System.currentTimeMillis() / 1000;
        return switch (kind) {
            case DIRECTORY -> new FileAttributes(Stat.S_IFDIR | 0555, 0, 0, 2, 0, inode, now, now, now);
            // sysfs shows a page as the size of its attribute files; reads are direct (per open)
            case FILE -> new FileAttributes(Stat.S_IFREG | 0444, 0, 0, 1, 4096, inode, now, now, now);
            case LINK -> new FileAttributes(Stat.S_IFLNK | 0777, 0, 0, 1, tree.link(path).length(), inode, now, now, now);
        };
    }

    /** The last tree if made within the last second (lookups of one tool run), else a fresh one. */
    private CompletableFuture<SysViewTree> recent() {
        Built b = last;
        if (b != null && System.nanoTime() - b.madeNanos() < STRUCTURE_NANOS) return CompletableFuture.completedFuture(b.tree());
        return fresh();
    }

    /** The tree of the combined files now (through their fan-out and its reuse); the last one if they did not change. */
    private CompletableFuture<SysViewTree> fresh() {
        var cpuinfo = orNone(combined.text("cpuinfo"));
        var stat = orNone(combined.text("stat"));
        var diskstats = orNone(combined.text("diskstats"));
        return CompletableFuture.allOf(cpuinfo, stat, diskstats).thenApply(done -> {
            List<String> inputs = List.of(cpuinfo.join(), stat.join(), diskstats.join());
            Built b = last;
            if (b == null || !b.inputs().equals(inputs)) {
                b = new Built(inputs, build(inputs.get(0), inputs.get(1), inputs.get(2)), System.nanoTime());
            } else {
                b = new Built(inputs, b.tree(), System.nanoTime());
            }
            last = b;
            return b.tree();
        });
    }

    /**
     * A combined text no host answered for (every host left out: a scope none of them has yet) as
     * no text, so the views are empty (no CPU, no remote disk) and exec can still bind them; never
     * this host's own files. Other failures stay failures.
     */
    private static CompletableFuture<String> orNone(CompletableFuture<String> text) {
        return text.exceptionally(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ErrnoException r && r.errno() == Errno.EHOSTUNREACH) return "";
            throw e instanceof CompletionException c ? c : new CompletionException(cause);
        });
    }

    static SysViewTree build(String cpuinfo, String stat, String diskstats) {
        SysViewTree tree = new SysViewTree();
        tree.addFiles("cpu", SysCpuView.files(cpuinfo, stat));
        linkHostEntries(tree, "cpu", name -> CPU_N.matcher(name).matches());
        tree.directory("block");
        for (var disk : SysBlockView.remoteDevices(diskstats, names(REPLACED.get("block"))).entrySet()) {
            tree.addFile("block/" + disk.getKey() + "/stat", disk.getValue());
        }
        linkHostEntries(tree, "block", name -> false);
        return tree;
    }

    /** A link in view {@code view} for every entry of the real directory the view does not have nor {@code hidden} claims. */
    private static void linkHostEntries(SysViewTree tree, String view, Predicate<String> hidden) {
        Path real = REPLACED.get(view);
        for (String entry : names(real)) {
            if (hidden.test(entry)) continue;
            Path original = real.resolve(entry);
            try {
                // a link there (/sys/block/vda -> ../devices/...) points where it leads, as a relative
                // target would resolve against the view; anything else is reached where exec binds the real one
                String target = Files.isSymbolicLink(original) ? real.resolve(Files.readSymbolicLink(original)).normalize().toString()
                        : HOST_DIRECTORIES + "/" + view + "/" + entry;
                tree.addLink(view + "/" + entry, target);
            } catch (IOException e) {
                // gone since listed: nothing to link
            }
        }
    }

    private static Set<String> names(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            return Set.of(); // no such directory here (a container without /sys): the view alone
        }
    }
}
