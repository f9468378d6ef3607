package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table rule of docs/process-table.md on a fake agent and a fake clock: no network, no kernel. */
class TableBackendTest {
    static final FileAttributes DIR = new FileAttributes(040555, 0, 0, 1, 0, 2, 0, 0, 0);
    static final FileAttributes FILE = new FileAttributes(0100444, 0, 0, 1, 0, 3, 0, 0, 0);
    static final Duration WINDOW = Duration.ofMillis(1000);
    /** What the fake agent answers every request with (EREMOTEIO): an answer that came from it. */
    static final int AGENT_ERRNO = 121;

    /** An agent that answers every single request with EREMOTEIO and counts them. */
    static final class CountingAgent implements Backend {
        final List<String> asked = new ArrayList<>();
        final List<String> tableErrors = new ArrayList<>();

        @Override
        public void tableError(String why) {
            tableErrors.add(why);
        }

        public String name() {
            return "far";
        }

        private <T> CompletableFuture<T> ask(String what) {
            asked.add(what);
            return CompletableFuture.failedFuture(new ErrnoException(AGENT_ERRNO, what));
        }

        public CompletableFuture<FileAttributes> stat(String path) {
            return ask("stat " + path);
        }

        public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
            return ask("list " + path);
        }

        public CompletableFuture<String> readlink(String path) {
            return ask("readlink " + path);
        }

        public CompletableFuture<Content> read(String path) {
            return ask("read " + path);
        }
    }

    final CountingAgent agent = new CountingAgent();
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final AtomicInteger tablesSent = new AtomicInteger();
    /** Whether each table asked for threads. */
    final List<Boolean> threadsAsked = new ArrayList<>();
    /** The parts each table asked for. */
    final List<Integer> partsAsked = new ArrayList<>();
    /** The processes the next table holds. */
    volatile List<Integer> pids = List.of(7);

    static final int STAT = ProcessTableFormat.partOf("stat"), STATUS = ProcessTableFormat.partOf("status"),
            CMDLINE = ProcessTableFormat.partOf("cmdline"), NS = ProcessTableFormat.partOf("ns");

    /** A table of {@link #pids} holding {@code parts} of each: stat, status and cmdline (EACCES), ns/ with one link. */
    ByteBuf table(int parts) {
        tablesSent.incrementAndGet();
        List<ExportedTree.Entry> root = new ArrayList<>(List.of(new ExportedTree.Entry("meminfo", FILE)));
        for (int pid : pids) root.add(new ExportedTree.Entry(Integer.toString(pid), DIR));
        ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), ProcessTableFormat.MAX_BYTES, parts,
                Set.of("stat", "status", "cmdline", "maps", "task", "ns"), Set.of("stat"), root);
        for (int pid : pids) {
            w.beginProcess(pid);
            w.attributes("", DIR);
            if ((parts & STAT) != 0) {
                try (Arena arena = Arena.ofConfined()) {
                    byte[] text = (pid + " (sleep) S 1").getBytes(StandardCharsets.US_ASCII);
                    w.file("stat", FILE, arena.allocateFrom(ValueLayout.JAVA_BYTE, text));
                }
            }
            if ((parts & STATUS) != 0) w.error("status", Errno.EACCES);
            if ((parts & CMDLINE) != 0) w.error("cmdline", Errno.EACCES);
            if ((parts & NS) != 0) {
                w.listing("ns", DIR, List.of(new ExportedTree.Entry("net", FILE)));
                w.link("ns/net", FILE, "net:[4026531840]");
            }
            w.listing("task", DIR, List.of(new ExportedTree.Entry(Integer.toString(pid), DIR), new ExportedTree.Entry("900", DIR)));
            w.endProcess();
        }
        return w.finish();
    }

    TableBackend backend(TableBudget budget) {
        return new TableBackend(agent, (threads, parts, since) -> {
            threadsAsked.add(threads);
            partsAsked.add(parts);
            return CompletableFuture.completedFuture(table(parts));
        }, WINDOW, budget, now::get);
    }

    TableBackend backend() {
        return backend(new TableBudget(TableBudget.BASE_BYTES));
    }

    static int errno(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(ErrnoException.class, e.getCause()).errno();
    }

    static String text(Backend.Content c) {
        try {
            return new String(c.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        } finally {
            c.release();
        }
    }

    @Test
    void listingTheRootAnswersProcessFilesWithoutAskingTheAgent() {
        TableBackend b = backend();
        assertEquals(List.of("meminfo", "7"), b.list("").join().stream().map(ExportedTree.Entry::name).toList());
        assertEquals(DIR, b.stat("7").join());
        assertEquals(FILE, b.stat("7/stat").join());
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()));
        assertEquals(Errno.EACCES, errno(b.read("7/status")));
        assertEquals(List.of("7", "900"), b.list("7/task").join().stream().map(ExportedTree.Entry::name).toList());
        assertEquals(DIR, b.stat("7/task/900").join(), "a listed thread's attributes come from the listing");
        assertEquals(List.of(), agent.asked);
        assertEquals(1, tablesSent.get());
    }

    @Test
    void aTableCutShortIsSaidAtEachListing() {
        TableBackend b = new TableBackend(agent, (threads, parts, since) -> {
            ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), 200, Set.of("stat"), Set.of(),
                    List.of(new ExportedTree.Entry("7", DIR), new ExportedTree.Entry("8", DIR)));
            for (int pid : new int[]{7, 8}) {
                w.beginProcess(pid);
                w.attributes("", DIR);
                try (Arena arena = Arena.ofConfined()) {
                    w.file("stat", FILE, arena.allocateFrom(ValueLayout.JAVA_BYTE, new byte[150]));
                }
                if (!w.endProcess()) break; // the second passes the 200-byte limit
            }
            return CompletableFuture.completedFuture(w.finish());
        }, WINDOW, new TableBudget(TableBudget.BASE_BYTES), now::get);
        b.list("").join();
        assertEquals(1, agent.tableErrors.size(), agent.tableErrors.toString());
        assertTrue(agent.tableErrors.getFirst().contains("cut short"), agent.tableErrors.toString());
    }

    @Test
    void namesTheTableProvesAbsentAreEnoentAtOnce() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals(Errno.ENOENT, errno(b.stat("8")), "not listed");
        assertEquals(Errno.ENOENT, errno(b.stat("7/ctty")), "not a name of a process directory");
        assertEquals(Errno.ENOENT, errno(b.stat("7/task/901")), "not in the task listing");
        assertEquals(Errno.ENOENT, errno(b.stat("7/task/900/status")), "not a name of a thread directory");
        assertEquals(List.of(), agent.asked);
    }

    @Test
    void whatTheTableDoesNotHoldGoesToTheAgent() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals(AGENT_ERRNO, errno(b.read("7/maps")));
        assertEquals(AGENT_ERRNO, errno(b.read("meminfo")));
        assertEquals(AGENT_ERRNO, errno(b.stat("900")), "a thread id: hidden from the listing, yet it resolves");
        assertEquals(List.of("read 7/maps", "read meminfo", "stat 900"), agent.asked);
    }

    @Test
    void pastTheWindowAScanGetsANewTableAndExitsShow() {
        TableBackend b = backend();
        b.list("").join();
        pids = List.of(8); // 7 exits, 8 starts
        now.addAndGet(WINDOW.toNanos() + 1);
        assertEquals(Errno.ENOENT, errno(b.read("7/stat")), "gone in the new table");
        assertEquals("8 (sleep) S 1", text(b.read("8/stat").join()));
        assertEquals(2, tablesSent.get(), "one new table for both reads");
        assertEquals(List.of(), agent.asked);
    }

    @Test
    void longAfterTheLastListingFilesAreReadOneByOne() {
        TableBackend b = backend();
        b.list("").join();
        now.addAndGet(WINDOW.toNanos() * (TableBackend.SCAN_WINDOWS + 1));
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat")));
        assertEquals(1, tablesSent.get());
        assertEquals(List.of("read 7/stat"), agent.asked);
        now.addAndGet(WINDOW.toNanos() + 1);
        assertEquals(AGENT_ERRNO, errno(b.read("7/status")), "a read now and then: still one by one");
        assertEquals(1, tablesSent.get());
    }

    @Test
    void aLongScanReachingTheHostLateGetsANewTable() {
        TableBackend b = backend();
        b.list("").join();
        now.addAndGet(WINDOW.toNanos() * (TableBackend.SCAN_WINDOWS + 1)); // ps over many hosts reaches this one late
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat")), "its first read goes to the agent");
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()), "the next, from a new table");
        assertEquals(2, tablesSent.get(), "one table, while the host's files are being read");
        assertEquals(List.of("read 7/stat"), agent.asked);
    }

    @Test
    void tablesCarryThreadsOnlyWhileThreadFilesAreRead() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals(AGENT_ERRNO, errno(b.read("7/task/900/stat")), "not in a table without threads: the agent");
        b.list("").join();
        now.addAndGet(WINDOW.toNanos() * (TableBackend.THREAD_WINDOWS + 1));
        b.list("").join();
        assertEquals(List.of(false, true, false), threadsAsked);
    }

    @Test
    void aListingAsksForWhatThePassBeforeItRead() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()));
        assertEquals(DIR, b.stat("7").join());
        b.list("").join(); // top's second pass: stat only
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()));
        b.list("").join();
        b.list("").join(); // a pass that read nothing asks as the one before
        assertEquals(List.of(TableParts.FIRST, STAT, STAT, STAT), partsAsked);
        assertEquals(List.of(), agent.asked);
    }

    /**
     * Tools taking turns (one reads status, the other cmdline, as ps and pgrep differ), each
     * started more than a window after the one before: a listing asks for what the last passes
     * read, so a tool after another costs one table more only the first time. A listing within a
     * window of the one before is a tool's next sample (top's second): it asks for what the last
     * pass read.
     */
    @Test
    void toolsTakingTurnsCostNoTableMore() {
        TableBackend b = backend();
        for (int turn = 0; turn < 3; turn++) {
            now.addAndGet(WINDOW.toNanos() + 1);
            b.list("").join();
            b.read("7/stat").join().release();
            assertEquals(Errno.EACCES, errno(b.read("7/status")));
            now.addAndGet(WINDOW.toNanos() + 1);
            b.list("").join();
            b.read("7/stat").join().release();
            assertEquals(Errno.EACCES, errno(b.read("7/cmdline")));
        }
        int both = STAT | STATUS | CMDLINE;
        assertEquals(List.of(TableParts.FIRST, STAT | STATUS, TableParts.FIRST, both, both, both, both), partsAsked);
        b.list("").join(); // at once: the next sample of the tool that read stat and cmdline
        assertEquals(STAT | CMDLINE, partsAsked.getLast());
        assertEquals(List.of(), agent.asked);
    }

    @Test
    void aPartTheTableWasAskedWithoutGetsOneTableWithIt() {
        TableBackend b = backend();
        b.list("").join();
        b.read("7/stat").join().release();
        b.list("").join(); // stat only
        assertEquals(Errno.EACCES, errno(b.read("7/status")), "from a new table, not the agent");
        assertEquals(Errno.EACCES, errno(b.read("7/status")));
        assertEquals(List.of(TableParts.FIRST, STAT, TableParts.FIRST), partsAsked);
        assertEquals(List.of(), agent.asked);
    }

    @Test
    void namespacesComeOnDemandAndStayWhileRead() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals(0, TableParts.FIRST & NS, "no ns in a first table");
        assertEquals(FILE, b.stat("7/ns/net").join(), "pstree's stat of ns/* gets a table with them");
        assertEquals("net:[4026531840]", b.readlink("7/ns/net").join());
        assertEquals(Errno.ENOENT, errno(b.stat("7/ns/pid")), "absent from the listed ns/");
        b.list("").join();
        assertEquals(FILE, b.stat("7/ns/net").join());
        assertEquals(List.of(TableParts.FIRST, TableParts.FIRST | NS, NS | STAT), partsAsked);
        assertEquals(List.of(), agent.asked);
    }

    @Test
    void everyTableCarriesTheStartTimes() {
        TableBackend b = backend();
        b.list("").join();
        b.stat("7/ns/net").join(); // a pass that read ns/ only (pstree's links), no stat
        b.list("").join();
        assertEquals(STAT, partsAsked.getLast() & STAT, "stat in every table: start times name processes and guard actions");
    }

    @Test
    void withoutAListingThereIsNoTable() {
        TableBackend b = backend();
        assertEquals(AGENT_ERRNO, errno(b.stat("7")));
        assertEquals(0, tablesSent.get());
    }

    @Test
    void aFileReadAgainFromOneTableIsTheAgentsToAnswer() {
        TableBackend b = backend();
        b.list("").join();
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()), "a pass reads it from the table");
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat")), "read again (pidstat's next sample): the agent answers, as it is now");
        assertEquals(List.of("read 7/stat"), agent.asked);
        assertEquals(FILE, b.stat("7/stat").join(), "attributes stay the table's");
        b.list("").join(); // the next listing: a new sample
        assertEquals("7 (sleep) S 1", text(b.read("7/stat").join()));
        assertEquals(1, agent.asked.size());
    }

    @Test
    void oneReadersSamplesDoNotSendAnotherReaderToTheAgent() {
        TableBackend b = backend();
        b.list("").join();
        int looper = 501, ps = 777;
        assertEquals("7 (sleep) S 1", text(b.read("7/stat", looper).join()));
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat", looper)), "the same reader again: its next sample");
        assertEquals("7 (sleep) S 1", text(b.read("7/stat", ps).join()), "another reader's pass still reads the table");
        assertEquals(List.of("read 7/stat"), agent.asked);
        for (int r = 1000; r < 1000 + TableBackend.READERS; r++) b.read("7/stat", r).join(); // readers enough to forget the first
        assertEquals("7 (sleep) S 1", text(b.read("7/stat", looper).join()), "a reader forgotten reads the table again");
    }

    @Test
    void aProcessActedOnIsReadFromTheAgentUntilTheNextTable() {
        TableBackend b = backend();
        b.list("").join();
        b.actedOn(7); // reniced through the mount: the table's nice is old
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat", 1)), "the first read of a process acted on goes to the agent");
        b.list("").join();
        assertEquals("7 (sleep) S 1", text(b.read("7/stat", 1).join()), "a new table shows it as it is");
    }

    @Test
    void aContentOutlivesItsTable() {
        TableBackend b = backend();
        b.list("").join();
        Backend.Content content = b.read("7/stat").join();
        b.list("").join(); // replaces the table
        b.releaseIfStale(0);
        assertEquals("7 (sleep) S 1", text(content), "the handle keeps its bytes");
    }

    @Test
    void aTableOverTheBudgetIsNotKeptNorAskedForAgainAtOnce() {
        TableBudget budget = new TableBudget(100);
        TableBackend b = backend(budget);
        assertEquals(AGENT_ERRNO, errno(b.list("")), "the listing falls back to the agent");
        assertEquals(0, budget.used());
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat")), "files one by one after a failed fetch");
        assertEquals(1, tablesSent.get());
        assertEquals(1, agent.tableErrors.size(), "the refusal is the host's table error");
        assertTrue(agent.tableErrors.getFirst().contains("refused"), agent.tableErrors.toString());
    }

    @Test
    void aHostThatTimesOutIsLeftOutOfTheListing() {
        TableBackend b = new TableBackend(agent, (threads, parts, since) -> CompletableFuture.failedFuture(new ErrnoException(Errno.ETIMEDOUT, "late")),
                WINDOW, new TableBudget(TableBudget.BASE_BYTES), now::get);
        assertEquals(Errno.ETIMEDOUT, errno(b.list("")));
        assertEquals(List.of(), agent.asked, "no second request after the deadline");
    }

    @Test
    void aHostThatLeavesReleasesItsTable() {
        TableBudget budget = new TableBudget(TableBudget.BASE_BYTES);
        TableBackend b = backend(budget);
        b.list("").join();
        assertTrue(budget.used() > 0);
        b.close();
        assertEquals(0, budget.used());
        assertEquals(AGENT_ERRNO, errno(b.read("7/stat")));
    }
}
