package io.procsys.fs.history;

import io.procsys.fs.access.Reader;
import io.procsys.fs.clock.Rebase;
import io.procsys.fs.combine.Aggregator;
import io.procsys.fs.combine.Aggregators;
import io.procsys.fs.combine.HostPart;
import io.procsys.fs.identity.PidMap;
import io.procsys.history.HostCapture;
import io.procsys.history.Item;
import io.procsys.history.Task;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Stat;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntUnaryOperator;

/**
 * What each {@link PastPlaces.Place} holds at one time: attributes, listings, link texts and file
 * contents, for one reader. Failures are ErrnoExceptions (ENOENT, EACCES), as procfs answers.
 * Each reader gets what procfs would have given it ({@link PastReads}, the live view's rule): a
 * reader who may not trace a process gets {@code exe} refused, the masked fields of {@code stat}
 * zeroed, and hidepid= hides the processes of others (docs/history.md).
 */
final class PastFiles {
    private final PidMap pids;
    private final PastReads reads;

    PastFiles(PidMap pids, PastReads reads) {
        this.pids = pids;
        this.reads = reads;
    }

    // ---- attributes

    FileAttributes attributes(PastView.Snapshot s, PastPlaces.Place place) {
        long now = s.tv() / 1000;
        return switch (place) {
            case PastPlaces.Hosts h -> directory(0, 0, inode("hosts"), now);
            case PastPlaces.HostDir d -> directory(0, 0, inode(d.host().index() + ":" + d.dir()), now);
            case PastPlaces.CombinedDir d -> directory(0, 0, inode("combined:" + d.dir()), now);
            case PastPlaces.SystemFile f -> file(0, 0, inode(f.host().index() + ":" + f.path()), now);
            case PastPlaces.Combined c -> file(0, 0, inode("combined:" + c.path()), now);
            case PastPlaces.Process p -> processAttributes(p);
        };
    }

    private FileAttributes processAttributes(PastPlaces.Process p) {
        int[] owner = owner(p.task());
        long started = p.host().btime() + Math.max(0, p.task().startTime()) / Rebase.TICKS_PER_SECOND;
        long inode = inode(p.host().index() + ":" + p.task().id() + ":" + p.task().startTime() + ":" + p.rest());
        if (p.rest().isEmpty() || p.rest().equals(PastPlaces.TASK) || p.rest().chars().filter(c -> c == '/').count() == 1) {
            return directory(owner[0], owner[1], inode, started);
        }
        if (p.rest().equals(HostCapture.EXE)) {
            return new FileAttributes(Stat.S_IFLNK | 0777, owner[0], owner[1], 1, 0, inode, started, started, started);
        }
        return file(owner[0], owner[1], inode, started);
    }

    private static FileAttributes directory(int uid, int gid, long inode, long time) {
        return new FileAttributes(Stat.S_IFDIR | 0555, uid, gid, 2, 0, inode, time, time, time);
    }

    private static FileAttributes file(int uid, int gid, long inode, long time) {
        return new FileAttributes(Stat.S_IFREG | 0444, uid, gid, 1, 0, inode, time, time, time);
    }

    /** A stable inode number for a name (never 0, which readdir(3) skips). */
    static long inode(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) h = (h ^ key.charAt(i)) * 0x100000001b3L;
        return (h & 0x7fff_ffff_ffffL) | 0x1000_0000_0000L;
    }

    /** The uid and gid of a process's directory as recorded (its euid and egid, or root's for a process that may not be dumped). */
    static int[] owner(Task task) {
        Item attrs = task.item(HostCapture.ATTRS);
        if (attrs == null || attrs.failed() || attrs.values().length != 2) return new int[]{0, 0};
        return new int[]{(int) attrs.values()[0], (int) attrs.values()[1]};
    }

    // ---- listings

    List<ExportedTree.Entry> list(PastView.Snapshot s, PastPlaces.Place place, List<String> combinedPaths, Reader reader) {
        return switch (place) {
            case PastPlaces.Hosts h -> s.present().stream().map(x -> entry(s, x.name(), new PastPlaces.HostDir(x, ""))).toList();
            case PastPlaces.HostDir d -> hostListing(s, d, reader);
            case PastPlaces.CombinedDir d -> children(combinedPaths, d.dir()).stream().map(n -> entry(s, n, new PastPlaces.Combined(d.dir() + "/" + n))).toList();
            case PastPlaces.Process p -> processListing(s, p);
            default -> throw new ErrnoException(Errno.ENOTDIR, "not a directory");
        };
    }

    private ExportedTree.Entry entry(PastView.Snapshot s, String name, PastPlaces.Place place) {
        return new ExportedTree.Entry(name, attributes(s, place));
    }

    /** The names right under {@code dir} ("" the top) of {@code paths}. */
    static TreeSet<String> children(Iterable<String> paths, String dir) {
        TreeSet<String> names = new TreeSet<>();
        String prefix = dir.isEmpty() ? "" : dir + "/";
        for (String p : paths) {
            if (!p.startsWith(prefix)) continue;
            String rest = p.substring(prefix.length());
            names.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
        }
        return names;
    }

    private List<ExportedTree.Entry> hostListing(PastView.Snapshot s, PastPlaces.HostDir d, Reader reader) {
        List<ExportedTree.Entry> out = new ArrayList<>();
        for (String name : children(d.host().frame().files().keySet(), d.dir())) {
            String path = d.dir().isEmpty() ? name : d.dir() + "/" + name;
            out.add(entry(s, name, d.host().frame().file(path) != null ? new PastPlaces.SystemFile(d.host(), path) : new PastPlaces.HostDir(d.host(), path)));
        }
        if (!d.dir().isEmpty()) return out;
        for (Task t : d.host().frame().tasks().values()) {
            if (!t.isThread() && reads.lists(reader, t)) out.add(entry(s, Integer.toString(t.id()), new PastPlaces.Process(d.host(), t, "", false)));
        }
        return out;
    }

    private List<ExportedTree.Entry> processListing(PastView.Snapshot s, PastPlaces.Process p) {
        List<ExportedTree.Entry> out = new ArrayList<>();
        if (p.rest().isEmpty()) {
            TreeSet<String> names = new TreeSet<>(p.task().items().keySet());
            names.remove(HostCapture.ATTRS);
            names.add(PastPlaces.TASK);
            for (String n : names) out.add(entry(s, n, new PastPlaces.Process(p.host(), p.task(), n, p.cluster())));
        } else if (p.rest().equals(PastPlaces.TASK)) {
            for (int tid : threads(p)) {
                String shown = Integer.toString(p.cluster() ? clusterThread(p, tid) : tid);
                out.add(entry(s, shown, new PastPlaces.Process(p.host(), p.task(), PastPlaces.TASK + "/" + tid, p.cluster())));
            }
        } else {
            int tid = Integer.parseInt(p.rest().substring(PastPlaces.TASK.length() + 1));
            for (String n : PastPlaces.ThreadFiles.of(p.task(), tid)) {
                out.add(entry(s, n, new PastPlaces.Process(p.host(), p.task(), p.rest() + "/" + n, p.cluster())));
            }
        }
        return out;
    }

    /** The process's thread ids, itself first, as its task/ lists them. */
    private static List<Integer> threads(PastPlaces.Process p) {
        List<Integer> ids = new ArrayList<>(List.of(p.task().id()));
        for (Task t : p.host().frame().tasks().values()) if (t.owner() == p.task().id()) ids.add(t.id());
        return ids;
    }

    private int clusterThread(PastPlaces.Process p, int tid) {
        return pids.clusterPid(p.host().index(), tid, p.task().startTime());
    }

    /** A process's entry at the top of the view, named by its cluster pid (or null when the map is full). */
    ExportedTree.Entry clusterEntry(PastView.Snapshot s, PastView.HostAt host, Task task, Reader reader) {
        if (!reads.lists(reader, task)) return null;
        int clusterPid = pids.clusterPid(host.index(), task.id(), task.startTime());
        return clusterPid <= 0 ? null : entry(s, Integer.toString(clusterPid), new PastPlaces.Process(host, task, "", true));
    }

    // ---- links and contents

    String readlink(PastPlaces.Place place, Reader reader) {
        if (!(place instanceof PastPlaces.Process p) || !PastReads.isExe(p.rest())) throw new ErrnoException(Errno.EINVAL, "not a link");
        reads.checkVisible(reader, p.task(), false);
        PastReads.checkLink(reader, p.task(), p.rest());
        Item exe = p.task().item(HostCapture.EXE);
        if (exe.failed()) throw new ErrnoException(exe.errno(), "exe");
        return new String(exe.text(), StandardCharsets.UTF_8);
    }

    byte[] read(PastView.Snapshot s, PastPlaces.Place place, Reader reader) {
        return switch (place) {
            case PastPlaces.SystemFile f -> systemFile(s, f.host(), f.path(), 0);
            case PastPlaces.Combined c -> combined(s, c.path());
            case PastPlaces.Process p -> processFile(s, p, reader);
            default -> throw new ErrnoException(Errno.EISDIR, "a directory");
        };
    }

    /** A host's system file at the time shown, on its own clock ({@code viewBtime} 0) or the view's. */
    private static byte[] systemFile(PastView.Snapshot s, PastView.HostAt host, String path, long viewBtime) {
        Item before = host.frame().file(path);
        if (before.failed()) throw new ErrnoException(before.errno(), path);
        if (path.equals("uptime")) {
            // on the view's clock up since its boot; on the host's own, since the frame by the host's clock
            return Rendering.uptime(before, host.fileAfter(path), host.frame().timeMillis(), host.fraction(),
                    viewBtime > 0 ? s.tv() : host.moment().timeMillis(), viewBtime);
        }
        Rendering.Lens lens = viewBtime == 0 ? Rendering.Lens.OWN : new Rendering.Lens(viewBtime, null, true);
        return Rendering.file(SlotRoles.systemKind(path), before, host.fileAfter(path), host.fraction(), lens, host.btime());
    }

    /** Every present host's {@code path}, on the view's clock, combined as the live view combines it. */
    private static byte[] combined(PastView.Snapshot s, String path) {
        Aggregator aggregator = Aggregators.forPath(path).orElseThrow(() -> new ErrnoException(Errno.ENOENT, path));
        List<HostPart> parts = new ArrayList<>();
        for (PastView.HostAt h : s.present()) {
            Item item = h.frame().file(path);
            if (item == null || item.failed()) continue;
            parts.add(new HostPart(h.name(), h.index(), new String(systemFile(s, h, path, s.viewBtime()), StandardCharsets.ISO_8859_1)));
        }
        if (parts.isEmpty()) throw new ErrnoException(Errno.ENOENT, "no host has " + path + " then");
        return aggregator.combine(parts).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] processFile(PastView.Snapshot s, PastPlaces.Process p, Reader reader) {
        reads.checkVisible(reader, p.task(), false);
        String rest = p.rest();
        Task task = p.task();
        String name = rest;
        if (rest.startsWith(PastPlaces.TASK + "/")) {
            String[] parts = rest.split("/");
            if (parts.length != 3) throw new ErrnoException(Errno.EISDIR, rest);
            int tid = Integer.parseInt(parts[1]);
            name = parts[2];
            if (tid != task.id() && name.equals("stat")) task = p.host().frame().task(tid);
        }
        Item item = task.item(name);
        if (item == null) throw new ErrnoException(Errno.ENOENT, rest);
        if (item.failed()) throw new ErrnoException(item.errno(), rest);
        PastReads.checkRead(reader, p.task(), name);
        boolean permitted = PastReads.mayTrace(reader, p.task());
        Rendering.Lens lens = new Rendering.Lens(p.cluster() ? s.viewBtime() : 0, p.cluster() ? pidsOf(p.host()) : null, permitted);
        byte[] text = Rendering.file(SlotRoles.processKind(name), item, p.host().itemAfter(task, name), p.host().fraction(), lens, p.host().btime());
        return PastReads.masked(reader, p.task(), name, text);
    }

    /** Host {@code host}'s pids as the view shows them: cluster pids, with the start times of the frame. */
    private IntUnaryOperator pidsOf(PastView.HostAt host) {
        return pid -> {
            Task t = host.frame().task(pid);
            if (t != null && t.isThread()) t = host.frame().task(t.owner()); // a thread is mapped with its process's start time
            int cpid = pids.clusterPid(host.index(), pid, t == null ? PidMap.UNKNOWN : t.startTime());
            return Math.max(cpid, 0);
        };
    }
}
