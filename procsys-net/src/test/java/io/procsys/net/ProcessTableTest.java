package io.procsys.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.net.agent.ProcessTableBuilder;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A process table taken of the live /proc, read back; and hostile tables refused whole. */
class ProcessTableTest {
    static final int SELF = (int) ProcessHandle.current().pid();
    static ProcessTable table;

    @BeforeAll
    static void take() {
        ExportedTree tree = new ExportedTree(ProcTree.open(Path.of("/proc")));
        int[] errno = new int[1];
        ByteBuf bytes = new ProcessTableBuilder(tree, true).build(ByteBufAllocator.DEFAULT, "", errno);
        assertNotNull(bytes, "errno " + errno[0]);
        table = ProcessTable.read(bytes);
    }

    @AfterAll
    static void release() {
        table.release();
        assertEquals(0, table.bytes().refCnt());
    }

    static String text(ProcessTable.Item item) {
        return text(table, item);
    }

    static String text(ProcessTable from, ProcessTable.Item item) {
        byte[] b = new byte[item.fileLength()];
        from.bytes().getBytes(item.fileOffset(), b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void rootListingHoldsThisProcessAndTheGlobalFiles() {
        Set<String> names = table.root().stream().map(ExportedTree.Entry::name).collect(java.util.stream.Collectors.toSet());
        assertTrue(names.contains(Integer.toString(SELF)));
        assertTrue(names.contains("meminfo"));
        assertTrue(table.hasProcess(SELF));
        assertTrue(table.hasProcess(1));
        assertFalse(table.truncated());
    }

    @Test
    void aPartialTableHoldsOnlyTheAskedParts() {
        ExportedTree tree = new ExportedTree(ProcTree.open(Path.of("/proc")));
        int stat = ProcessTableFormat.partOf("stat"), statm = ProcessTableFormat.partOf("statm");
        ByteBuf bytes = new ProcessTableBuilder(tree, false, stat | statm).build(ByteBufAllocator.DEFAULT, "", new int[1]);
        ProcessTable partial = ProcessTable.read(bytes);
        try {
            assertTrue(partial.holds(stat | statm));
            assertFalse(partial.holds(ProcessTableFormat.partOf("ns")));
            assertTrue(text(partial, partial.find(SELF, "stat")).startsWith(SELF + " (java) "));
            assertNotNull(partial.find(SELF, "statm"));
            assertNotNull(partial.find(SELF, "task"), "task/ is always in");
            for (String left : List.of("status", "cmdline", "comm", "cgroup", "environ", "exe", "ns", "ns/net")) {
                assertNull(partial.find(SELF, left), left + " was not asked for");
            }
            assertTrue(partial.size() < table.size() / 2, partial.size() + " bytes against " + table.size());
        } finally {
            partial.release();
        }
        assertTrue(table.holds(ProcessTableFormat.ALL_PARTS), "a table of every part says so");
        assertTrue(table.find(SELF, "ns/net").link().startsWith("net:["));
    }

    @Test
    void everyStatOfATableMayBeRewritten() {
        // a tree node's own table goes up with its start times on its view's clock
        ExportedTree tree = new ExportedTree(ProcTree.open(Path.of("/proc")));
        ByteBuf bytes = new ProcessTableBuilder(tree, true, ProcessTableFormat.ALL_PARTS, text -> "moved " + text)
                .build(ByteBufAllocator.DEFAULT, "", new int[1]);
        ProcessTable rewritten = ProcessTable.read(bytes);
        try {
            assertTrue(text(rewritten, rewritten.find(SELF, "stat")).startsWith("moved " + SELF + " (java) "));
            long tid = table.find(SELF, "task").listing().stream().map(ExportedTree.Entry::name).filter(n -> !n.equals(Integer.toString(SELF)))
                    .mapToLong(Long::parseLong).findFirst().orElseThrow();
            assertTrue(text(rewritten, rewritten.find(SELF, "task/" + tid + "/stat")).startsWith("moved " + tid + " ("), "a thread's stat too");
            assertEquals(text(table.find(SELF, "cmdline")), text(rewritten, rewritten.find(SELF, "cmdline")), "nothing else");
        } finally {
            rewritten.release();
        }
    }

    @Test
    void filesOfAProcessAreItsOwn() throws Exception {
        ProcessTable.Item stat = table.find(SELF, "stat");
        assertTrue(stat.isFile());
        assertTrue(text(stat).startsWith(SELF + " (java) "), text(stat));
        ProcessTable.Item cmdline = table.find(SELF, "cmdline");
        assertEquals(Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.ISO_8859_1), text(cmdline));
        assertTrue(text(table.find(SELF, "status")).contains("\nPid:\t" + SELF + "\n"));
        assertEquals("java\n", text(table.find(SELF, "comm")));
        assertEquals(Files.readString(Path.of("/proc/self/cgroup")), text(table.find(SELF, "cgroup")));
    }

    @Test
    void refusedFilesCarryTheirErrno() {
        assertEquals(Errno.EACCES, table.find(SELF, "environ").errno());
    }

    @Test
    void linksNamespacesAndThreads() throws Exception {
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString(), table.find(SELF, "exe").link());
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(), table.find(SELF, "ns/pid").link());
        ProcessTable.Item task = table.find(SELF, "task");
        assertNotNull(task.listing());
        long threads;
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            threads = s.count();
        }
        // threads come and go in a JVM: the listing is within a few of the count
        assertTrue(Math.abs(task.listing().size() - threads) <= 4, task.listing().size() + " vs " + threads);
        String other = task.listing().stream().map(ExportedTree.Entry::name).filter(n -> !n.equals(Integer.toString(SELF))).findFirst().orElseThrow();
        ProcessTable.Item threadStat = table.find(SELF, "task/" + other + "/stat");
        if (threadStat.isFile()) assertTrue(text(threadStat).startsWith(other + " ("), text(threadStat));
        assertTrue(table.processNames().containsAll(List.of("stat", "status", "cmdline", "task", "ns", "fd", "maps")));
        assertTrue(table.threadNames().contains("stat"));
        assertFalse(table.threadNames().contains("task"), "a thread directory has no task/");
        assertNull(table.find(SELF, "maps"), "not in the table: asked of the agent");

        // the indexes: every thread the listing holds maps to this process, the root names are the root's
        for (ExportedTree.Entry thread : task.listing()) assertEquals(SELF, table.processOf(Integer.parseInt(thread.name())), thread.name());
        assertEquals(-1, table.processOf(ProcessTableFormat.PID_LIMIT - 1), "no such thread");
        assertTrue(table.lists(Integer.toString(SELF)) && table.lists("meminfo"));
        assertFalse(table.lists("no-such-name"));
    }

    // ---- hostile tables

    /** A well-formed table with one process, written by hand. */
    static ByteBuf written(int pid, String path, List<ExportedTree.Entry> root) {
        ByteBuf out = Unpooled.directBuffer();
        ProcessTableWriter w = new ProcessTableWriter(out, ProcessTableFormat.MAX_BYTES, Set.of("stat"), Set.of("stat"), root);
        w.beginProcess(pid);
        FileAttributes a = new FileAttributes(0100444, 0, 0, 1, 0, 1, 0, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom("1 (x) S", StandardCharsets.US_ASCII);
            w.file(path, a, data.asSlice(0, data.byteSize() - 1));
        }
        w.endProcess();
        return w.finish();
    }

    static final FileAttributes DIR = new FileAttributes(040555, 0, 0, 1, 0, 2, 0, 0, 0);

    @Test
    void aHandWrittenTableReadsBack() {
        ProcessTable t = ProcessTable.read(written(7, "stat", List.of(new ExportedTree.Entry("7", DIR))));
        try {
            assertEquals("1 (x) S", t.bytes().toString(t.find(7, "stat").fileOffset(), 7, StandardCharsets.US_ASCII));
        } finally {
            t.release();
        }
    }

    static void assertRefused(ByteBuf bytes) {
        assertThrows(CorruptedFrameException.class, () -> ProcessTable.read(bytes));
        assertEquals(0, bytes.refCnt(), "a refused table is released");
    }

    @Test
    void namesWithSlashOrDotsAreRefused() {
        assertRefused(written(7, "../../etc/passwd", List.of()));
        assertRefused(written(7, "stat", List.of(new ExportedTree.Entry("a/b", DIR))));
        assertRefused(written(7, "stat", List.of(new ExportedTree.Entry("..", DIR))));
        assertRefused(written(7, "task//stat", List.of()));
    }

    @Test
    void badPidsTruncationAndJunkAreRefused() {
        assertRefused(written(0, "stat", List.of()));
        assertRefused(written(1 << 22, "stat", List.of()));
        ByteBuf whole = written(7, "stat", List.of());
        assertRefused(whole.copy(0, whole.readableBytes() - 3));
        ByteBuf junk = Unpooled.buffer().writeBytes(whole).writeByte(1);
        whole.release();
        assertRefused(junk);
        assertRefused(Unpooled.buffer().writeByte(ProcessTableFormat.VERSION).writeByte(0).writeShort(60000));
        assertRefused(Unpooled.buffer().writeByte(99));
    }

    @Test
    void duplicatePidsAndNamesKeepTheFirst() {
        ByteBuf out = Unpooled.directBuffer();
        ProcessTableWriter w = new ProcessTableWriter(out, ProcessTableFormat.MAX_BYTES, Set.of(), Set.of(),
                List.of(new ExportedTree.Entry("7", DIR), new ExportedTree.Entry("7", DIR)));
        for (String link : List.of("first", "second")) {
            w.beginProcess(7);
            w.link("exe", DIR, link);
            w.endProcess();
        }
        ProcessTable t = ProcessTable.read(w.finish());
        try {
            assertEquals(1, t.root().size());
            assertEquals("first", t.find(7, "exe").link());
        } finally {
            t.release();
        }
    }

    @Test
    void aTablePastItsLimitIsTruncatedNotOverrun() {
        ByteBuf out = Unpooled.directBuffer();
        ProcessTableWriter w = new ProcessTableWriter(out, 200, Set.of(), Set.of(), List.of());
        int written = 0;
        for (int pid = 1; pid < 100; pid++) {
            w.beginProcess(pid);
            w.link("exe", DIR, "/usr/bin/something");
            if (!w.endProcess()) break;
            written++;
        }
        ProcessTable t = ProcessTable.read(w.finish());
        try {
            assertTrue(t.truncated());
            assertTrue(t.size() <= 200, "size " + t.size());
            assertTrue(t.hasProcess(written) && !t.hasProcess(written + 1));
        } finally {
            t.release();
        }
    }
}
