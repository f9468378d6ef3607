package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.posix.Errno;
import io.procsys.posix.Stat;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.WholeFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Takes a {@link ProcessTable} of an exported tree: the root listing, then for every process the
 * files that ps, top, htop, pgrep and pstree read (found with strace; docs/process-table.md).
 * Every access goes through {@link ExportedTree}, so the export policy holds as for single
 * requests: a refused file is recorded with its errno.
 */
public final class ProcessTableBuilder {
    /** Files read for every process (the parts of {@link ProcessTableFormat#PARTS} that are files). */
    static final List<String> PROCESS_FILES = List.of("stat", "statm", "status", "cmdline", "comm", "cgroup", "environ");
    /**
     * Files read for every thread (task/TID/): what top -H and htop read on every refresh. ps -L
     * also reads each thread's status, cmdline and environ: those go to the agent (a thread's
     * status costs the kernel as much as the other two files together, on every listing).
     */
    static final List<String> THREAD_FILES = List.of("stat", "statm");
    /** Directories whose listing (and, for ns, link texts) go in: pstree stats ns/*, htop and ps -L list task/. */
    static final String NS = "ns", TASK = "task", EXE = "exe";
    /** A file bigger than this is left to a request of its own (a huge cmdline, say). */
    static final int MAX_ITEM = 64 * 1024;
    /** Room past the limit for the record being written when the limit is crossed (it is then taken back). */
    static final int SLACK = 4 << 20;

    private final ExportedTree tree;
    private final boolean threads;
    private final int parts;
    /** Rewrites every stat taken, process's and thread's (null: none): a tree node's start times on its view's clock. */
    private final UnaryOperator<String> statRewrite;

    /** {@code threads}: also every thread's {@link #THREAD_FILES} (the task/ listings are always in). */
    public ProcessTableBuilder(ExportedTree tree, boolean threads) {
        this(tree, threads, ProcessTableFormat.ALL_PARTS);
    }

    /** As {@link #ProcessTableBuilder(ExportedTree, boolean)}, with only {@code parts} of every process. */
    public ProcessTableBuilder(ExportedTree tree, boolean threads, int parts) {
        this(tree, threads, parts, null);
    }

    /** As above, every stat's text (processes' and threads') rewritten by {@code statRewrite} (null: as read). */
    public ProcessTableBuilder(ExportedTree tree, boolean threads, int parts, UnaryOperator<String> statRewrite) {
        this.tree = tree;
        this.threads = threads;
        this.parts = parts;
        this.statRewrite = statRewrite;
    }

    private boolean wanted(String part) {
        return (parts & ProcessTableFormat.partOf(part)) != 0;
    }

    /** The table of the tree below {@code path} ("" = the root); null with the listing's errno in {@code errno[0]}. */
    public ByteBuf build(ByteBufAllocator alloc, String path, int[] errno) {
        ExportedTree.Listing root = tree.list(path);
        if (root.errno() != 0 && root.entries().isEmpty()) {
            errno[0] = root.errno();
            return null;
        }
        String prefix = path.isEmpty() ? "" : path + "/";
        List<Integer> pids = root.entries().stream().map(ExportedTree.Entry::name)
                .filter(ProcessTableBuilder::isPid).map(Integer::parseInt)
                .filter(pid -> pid < ProcessTableFormat.PID_LIMIT).toList();
        Set<String> processNames = new LinkedHashSet<>();
        Set<String> threadNames = new LinkedHashSet<>();
        // A live /proc gives every process (and every thread) directory the same entries, so one
        // listing tells the client which names do not exist. A captured tree may differ per
        // process: then no names are sent and the client asks the agent for what is not in the table.
        for (int pid : tree.tree().isLive() ? pids : List.<Integer>of()) {
            if (namesOf(prefix + pid, processNames) && namesOf(prefix + pid + "/task/" + pid, threadNames)) break;
            processNames.clear();
            threadNames.clear();
        }
        ByteBuf out = alloc.directBuffer(64 * 1024, ProcessTableFormat.MAX_BYTES + SLACK);
        try (Arena arena = Arena.ofConfined()) {
            ProcessTableWriter table = new ProcessTableWriter(out, ProcessTableFormat.MAX_BYTES, parts, processNames, threadNames, root.entries());
            if (table.full()) { // the root listing alone is past the bound
                out.release();
                errno[0] = Errno.EFBIG;
                return null;
            }
            MemorySegment st = arena.allocate(Stat.SIZE, 8);
            for (int pid : pids) {
                table.beginProcess(pid);
                writeProcess(table, prefix + pid, st);
                if (!table.endProcess()) break;
            }
            return table.finish();
        } catch (IndexOutOfBoundsException tooBig) { // one record past the slack: no table, the client reads file by file
            out.release();
            errno[0] = Errno.EFBIG;
            return null;
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    private boolean namesOf(String dir, Set<String> into) {
        ExportedTree.Listing listing = tree.list(dir);
        if (listing.errno() != 0 || listing.entries().isEmpty()) return false;
        for (ExportedTree.Entry e : listing.entries()) into.add(e.name());
        return true;
    }

    static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > 9) return false;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return false;
        }
        return name.charAt(0) != '0';
    }

    private void writeProcess(ProcessTableWriter table, String dir, MemorySegment st) {
        int[] errno = new int[1];
        FileAttributes attrs = attributes(dir, st);
        if (attrs == null) {
            table.error("", -lastStat);
            return;
        }
        ExportedTree.Directory process = tree.directory(dir, errno);
        if (process == null) {
            table.error("", errno[0]);
            return;
        }
        try (process) {
            table.attributes("", attrs);
            for (String name : PROCESS_FILES) {
                if (wanted(name)) file(table, process, "", name);
            }
            if (wanted(EXE)) exe(table, process, errno);
        }
        if (wanted(NS)) namespaces(table, dir, st, errno);
        ExportedTree.Listing task = listing(table, dir, TASK, st);
        if (task == null || !threads) return;
        for (ExportedTree.Entry thread : task.entries()) {
            if (dir.endsWith("/" + thread.name()) || dir.equals(thread.name()) || !isPid(thread.name())) continue; // the leader is read as the process
            ExportedTree.Directory threadDir = tree.directory(dir + "/" + TASK + "/" + thread.name(), errno);
            if (threadDir == null) continue; // ended meanwhile: its listing entry stays
            try (threadDir) {
                for (String name : THREAD_FILES) file(table, threadDir, TASK + "/" + thread.name() + "/", name);
            }
            if (table.full()) return;
        }
    }

    private static void exe(ProcessTableWriter table, ExportedTree.Directory process, int[] errno) {
        String exe = process.readlink(EXE, errno);
        FileAttributes exeAttrs = exe == null ? null : process.stat(EXE, errno);
        if (exeAttrs == null) table.error(EXE, errno[0]);
        else table.link(EXE, exeAttrs, exe);
    }

    /** ns/ as a listing, and every ns/* link text (pstree stats them). */
    private void namespaces(ProcessTableWriter table, String dir, MemorySegment st, int[] errno) {
        ExportedTree.Listing ns = listing(table, dir, NS, st);
        if (ns != null) {
            ExportedTree.Directory namespaces = tree.directory(dir + "/" + NS, errno);
            if (namespaces != null) {
                try (namespaces) {
                    for (ExportedTree.Entry e : ns.entries()) {
                        String text = namespaces.readlink(e.name(), errno);
                        if (text != null && e.attributes() != null) table.link(NS + "/" + e.name(), e.attributes(), text);
                    }
                }
            }
        }
    }

    private int lastStat;

    private FileAttributes attributes(String path, MemorySegment st) {
        lastStat = tree.stat(path, st);
        return lastStat == 0 ? FileAttributes.of(st) : null;
    }

    /** File {@code name} of {@code dir} as item {@code prefix + name}: its bytes, or its errno; left out when too big. */
    private void file(ProcessTableWriter table, ExportedTree.Directory dir, String prefix, String name) {
        ExportedTree.Directory.Read read = dir.read(name, MAX_ITEM);
        if (read.errno() == WholeFile.TOO_BIG) return; // left to its own request
        if (read.errno() != 0) {
            table.error(prefix + name, read.errno());
            return;
        }
        try {
            table.file(prefix + name, read.attributes(), statRewrite != null && name.equals("stat") ? rewritten(read.file().data()) : read.file().data());
        } finally {
            read.file().free();
        }
    }

    /** A stat's bytes through {@link #statRewrite}, on the heap (ISO-8859-1: every byte one char). */
    private MemorySegment rewritten(MemorySegment stat) {
        String text = new String(stat.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        return MemorySegment.ofArray(statRewrite.apply(text).getBytes(StandardCharsets.ISO_8859_1));
    }

    private ExportedTree.Listing listing(ProcessTableWriter table, String dir, String name, MemorySegment st) {
        FileAttributes attrs = attributes(dir + "/" + name, st);
        if (attrs == null) {
            table.error(name, -lastStat);
            return null;
        }
        ExportedTree.Listing listing = tree.list(dir + "/" + name);
        if (listing.errno() != 0 && listing.entries().isEmpty()) {
            table.error(name, listing.errno());
            return null;
        }
        table.listing(name, attrs, listing.entries());
        return listing;
    }
}
