package io.procsys.history;

import io.netty.buffer.ByteBuf;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.WholeFile;

import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Takes a frame of a host: the system files the cluster view combines, read through the agent's
 * {@link ExportedTree} (so the export policy holds, as for any peer), and the process table the
 * agent builds for mounts, threads included, turned into one {@link Task} per process and thread.
 * Nothing a live reader may not read through procsys is taken: no maps, environ or memory.
 */
public final class HostCapture implements Recorder.FrameSource {
    /** The system files of a frame; those a host does not have (no PSI, no swap) are left out. */
    public static final List<String> FILES = List.of("stat", "meminfo", "loadavg", "uptime", "vmstat", "diskstats", "net/dev",
            "cpuinfo", "swaps", "pressure/cpu", "pressure/io", "pressure/memory");
    /** The process files of a task; the pid directory's owner as "attrs", exe as a link. */
    public static final List<String> PROCESS_FILES = List.of("stat", "statm", "status", "cmdline", "comm", "cgroup");
    public static final String ATTRS = "attrs", EXE = "exe";
    /** The parts of the process table a frame asks for: environ is never readable, ns/ is left out (only pstree -S reads it). */
    public static final int TABLE_PARTS = parts(List.of("stat", "statm", "status", "cmdline", "comm", "cgroup", "exe"));
    /** The system files whose numbers count (replayed as rates; uptime is the clock rates are divided by): read with the tasks' stat, together. */
    static final List<String> COUNTER_FILES = List.of("stat", "uptime", "vmstat", "diskstats", "net/dev");
    /** Largest system file taken (cpuinfo of a large host is tens of KiB). */
    static final int MAX_FILE = 1 << 20;
    /** Largest stat of a task read again (one line: under 1 KiB). */
    static final int MAX_STAT = 4096;

    private final ExportedTree tree;
    private final Supplier<ByteBuf> table;
    private final long intervalMillis;

    /** {@code table}: the host's process table with threads and {@link #TABLE_PARTS} (the caller owns nothing after; null when it could not be built). */
    public HostCapture(ExportedTree tree, Supplier<ByteBuf> table, long intervalMillis) {
        this.tree = tree;
        this.table = table;
        this.intervalMillis = intervalMillis;
    }

    private static int parts(List<String> names) {
        int parts = 0;
        for (String n : names) parts |= ProcessTableFormat.partOf(n);
        return parts;
    }

    /**
     * Reads the host, stamped with the time its counters were read: the process table takes
     * 20-400 ms on a busy 2-core host, and a process late in it was read that much after one
     * early, so a stamp anywhere in it scaled the rates replayed between two frames (a 50 %
     * burner showed 70 % in top). The counters, each task's stat and the system files that count
     * ({@link #COUNTER_FILES}), are therefore read again together after the table, in a few ms,
     * and the frame is stamped in the middle of that pass.
     */
    @Override
    public Frame capture(LongSupplier clock) {
        long started = System.nanoTime();
        Map<String, Item> files = new TreeMap<>();
        for (String path : FILES) {
            if (COUNTER_FILES.contains(path)) continue;
            Item item = readFile(path, MAX_FILE);
            if (item != null) files.put(path, item);
        }
        Map<Integer, Task> table = tasks();
        long before = clock.getAsLong();
        for (String path : COUNTER_FILES) {
            Item item = readFile(path, MAX_FILE);
            if (item != null) files.put(path, item);
        }
        Map<Integer, Task> tasks = withFreshStats(table);
        long after = Math.max(before, clock.getAsLong()); // a clock set back while reading: the start is all there is
        return Frame.of(before + (after - before) / 2, intervalMillis, (System.nanoTime() - started) / 1000, files, tasks);
    }

    /** Each task with its stat read again now; one that ended since, or whose pid is another's now, keeps the table's. */
    private Map<Integer, Task> withFreshStats(Map<Integer, Task> table) {
        Map<Integer, Task> tasks = new TreeMap<>();
        for (Task t : table.values()) {
            Item old = t.item("stat");
            Item now = old == null || old.failed() ? null : readFile(t.owner() == 0 ? t.id() + "/stat" : t.owner() + "/task/" + t.id() + "/stat", MAX_STAT);
            if (now == null || now.failed() || ProcStat.startTime(now.text()) != t.startTime()) {
                tasks.put(t.id(), t);
                continue;
            }
            Map<String, Item> items = new HashMap<>(t.items());
            items.put("stat", now);
            tasks.put(t.id(), new Task(t.id(), t.owner(), t.startTime(), items));
        }
        return tasks;
    }

    private Item readFile(String path, int max) {
        WholeFile.Buffer buffer = new WholeFile.Buffer(max);
        try {
            int errno = tree.readWhole(path, buffer);
            if (errno == Errno.ENOENT) return null;
            return errno != 0 ? Item.error(errno) : Item.file(buffer.written().toArray(ValueLayout.JAVA_BYTE));
        } finally {
            buffer.free();
        }
    }

    private Map<Integer, Task> tasks() {
        ByteBuf bytes = table.get();
        if (bytes == null) return Map.of();
        ProcessTable t = ProcessTable.read(bytes);
        try {
            return tasksOf(t);
        } finally {
            t.release();
        }
    }

    /** Every process of {@code table} and every thread its task/ listings name, with the files the table holds. */
    static Map<Integer, Task> tasksOf(ProcessTable table) {
        Map<Integer, Task> tasks = new TreeMap<>();
        for (ExportedTree.Entry e : table.root()) {
            int pid = pidOf(e.name());
            if (pid <= 0 || !table.hasProcess(pid)) continue;
            Map<String, Item> items = new HashMap<>();
            ProcessTable.Item dir = table.find(pid, "");
            if (dir == null || dir.attributes() == null) continue; // the process went while the table was taken
            items.put(ATTRS, Item.file((dir.attributes().uid() + " " + dir.attributes().gid()).getBytes()));
            for (String name : PROCESS_FILES) {
                Item item = itemOf(table, pid, name);
                if (item != null) items.put(name, item);
            }
            ProcessTable.Item exe = table.find(pid, EXE);
            if (exe != null) items.put(EXE, exe.link() != null ? Item.link(exe.link().getBytes(java.nio.charset.StandardCharsets.UTF_8)) : Item.error(exe.errno()));
            tasks.put(pid, new Task(pid, 0, startTimeOf(items.get("stat")), items));
            threads(table, pid, tasks);
        }
        return tasks;
    }

    private static void threads(ProcessTable table, int pid, Map<Integer, Task> tasks) {
        ProcessTable.Item task = table.find(pid, "task");
        if (task == null || task.listing() == null) return;
        for (ExportedTree.Entry t : task.listing()) {
            int tid = pidOf(t.name());
            if (tid <= 0 || tid == pid || tasks.containsKey(tid)) continue;
            Item stat = itemOf(table, pid, "task/" + tid + "/stat");
            if (stat == null || stat.failed()) continue; // ended while the table was taken
            tasks.put(tid, new Task(tid, pid, startTimeOf(stat), Map.of("stat", stat)));
        }
    }

    private static Item itemOf(ProcessTable table, int pid, String path) {
        ProcessTable.Item item = table.find(pid, path);
        if (item == null) return null;
        if (!item.isFile()) return item.errno() != 0 ? Item.error(item.errno()) : null;
        byte[] bytes = new byte[item.fileLength()];
        table.bytes().getBytes(item.fileOffset(), bytes);
        return Item.file(bytes);
    }

    private static long startTimeOf(Item stat) {
        return stat == null || stat.failed() ? -1 : ProcStat.startTime(stat.text());
    }

    private static int pidOf(String name) {
        if (name.isEmpty() || name.length() > 7 || name.charAt(0) == '0') return -1;
        int pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            pid = pid * 10 + (c - '0');
        }
        return pid < ProcessTableFormat.PID_LIMIT ? pid : -1;
    }
}
