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
    /**
     * The process files that rarely change (and exe): read when a process is new, when its command
     * (stat's comm: an exec changes it) is not the frame before's, or every {@link #REFRESH_FRAMES}
     * frames (a title set by the process, a move to another cgroup), else the frame before's kept.
     * Each read costs four system calls a process a frame: on a quiet host of 220 tasks, half the
     * recorder's CPU was in the kernel.
     */
    static final List<String> RARE_FILES = List.of("cmdline", "comm", "cgroup");
    static final int REFRESH_FRAMES = 6;
    /**
     * The parts of the process table a frame asks for: environ is never readable, ns/ is left out
     * (only pstree -S reads it), the rare files apart, and every task's stat: it is read once, with
     * the counters (the table is built without threads' files: their task/ listings name them).
     */
    public static final int TABLE_PARTS = parts(List.of("statm", "status"));
    /** Largest rare file taken (the process table's own bound for a file). */
    static final int MAX_PROCESS_FILE = 64 * 1024;
    /** The system files whose numbers count (replayed as rates; uptime is the clock rates are divided by): read with the tasks' stat, together. */
    static final List<String> COUNTER_FILES = List.of("stat", "uptime", "vmstat", "diskstats", "net/dev");
    /** Largest system file taken (cpuinfo of a large host is tens of KiB). */
    static final int MAX_FILE = 1 << 20;
    /** Largest stat of a task read again (one line: under 1 KiB). */
    static final int MAX_STAT = 4096;

    private final ExportedTree tree;
    private final Supplier<ByteBuf> table;
    private final long intervalMillis;
    /** The tasks of the frame before, whose rare files a process keeps while it is the same; frames taken: the recorder's thread's. */
    private Map<Integer, Task> previous = Map.of();
    private long frames;

    /** {@code table}: the host's process table with {@link #TABLE_PARTS} and the task/ listings, threads' files or not (the caller owns nothing after; null when it could not be built). */
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
     * ({@link #COUNTER_FILES}), are therefore read together after the table (a process's stat only
     * there), in a few ms, and the frame is stamped in the middle of that pass; the rare files after.
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
        Map<Integer, Task> counted = withFreshStats(table);
        long after = Math.max(before, clock.getAsLong()); // a clock set back while reading: the start is all there is
        Map<Integer, Task> tasks = withRareFiles(counted);
        previous = tasks;
        frames++;
        return Frame.of(before + (after - before) / 2, intervalMillis, (System.nanoTime() - started) / 1000, files, tasks);
    }

    /** Each process with its {@link #RARE_FILES} and exe: the frame before's while it is the same process with the same command, else read now. */
    private Map<Integer, Task> withRareFiles(Map<Integer, Task> table) {
        for (Map.Entry<Integer, Task> e : table.entrySet()) {
            Task t = e.getValue();
            if (t.owner() != 0) continue; // threads: their stat only
            Task before = previous.get(t.id());
            boolean keep = t.sameTask(before) && (frames + t.id()) % REFRESH_FRAMES != 0 && before.item(EXE) != null
                    && sameCommand(t.item("stat"), before.item("stat"));
            Map<String, Item> items = new HashMap<>(t.items());
            if (keep) {
                for (String name : RARE_FILES) if (before.item(name) != null) items.put(name, before.item(name));
                items.put(EXE, before.item(EXE));
            } else {
                readRareFiles(t.id(), items);
            }
            e.setValue(new Task(t.id(), t.owner(), t.startTime(), items));
        }
        return table;
    }

    private static boolean sameCommand(Item stat, Item before) {
        return stat != null && before != null && !stat.failed() && !before.failed()
                && java.util.Arrays.equals(ProcStat.command(stat.text()), ProcStat.command(before.text()));
    }

    /** A process's rare files and exe link into {@code items}; a process gone meanwhile gets none (its frame shows what the table had). */
    private void readRareFiles(int pid, Map<String, Item> items) {
        int[] errno = new int[1];
        ExportedTree.Directory dir = tree.directory(Integer.toString(pid), errno);
        if (dir == null) return;
        try (dir) {
            for (String name : RARE_FILES) {
                ExportedTree.Directory.Read read = dir.read(name, MAX_PROCESS_FILE);
                if (read.errno() == WholeFile.TOO_BIG) continue; // as the table leaves it out
                if (read.errno() != 0) {
                    items.put(name, Item.error(read.errno()));
                    continue;
                }
                try {
                    items.put(name, Item.file(read.file().data().toArray(ValueLayout.JAVA_BYTE)));
                } finally {
                    read.file().free();
                }
            }
            String exe = dir.readlink(EXE, errno);
            items.put(EXE, exe != null ? Item.link(exe.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : Item.error(errno[0]));
        }
    }

    /**
     * Each task with its stat read now, whose start time is its identity: one that ended since the
     * table is left out, or keeps the table's stat where the table had one (as does one whose id is
     * another's now).
     */
    private Map<Integer, Task> withFreshStats(Map<Integer, Task> table) {
        Map<Integer, Task> tasks = new TreeMap<>();
        for (Task t : table.values()) {
            Item now = readFile(t.owner() == 0 ? t.id() + "/stat" : t.owner() + "/task/" + t.id() + "/stat", MAX_STAT);
            long start = now == null || now.failed() ? -1 : ProcStat.startTime(now.text());
            if (start < 0 || (t.startTime() >= 0 && start != t.startTime())) {
                if (t.item("stat") != null) tasks.put(t.id(), t);
                continue;
            }
            Map<String, Item> items = new HashMap<>(t.items());
            items.put("stat", now);
            tasks.put(t.id(), new Task(t.id(), t.owner(), start, items));
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
            if (stat == null) { // a table without threads' files: its stat is read with the counters
                tasks.put(tid, new Task(tid, pid, -1, Map.of()));
            } else if (!stat.failed()) { // else it ended while the table was taken
                tasks.put(tid, new Task(tid, pid, startTimeOf(stat), Map.of("stat", stat)));
            }
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
