package io.procsys.fs.cluster;

import io.procsys.fs.RecordingSink;
import io.procsys.fs.RecordingSink.Reply;
import io.procsys.fs.identity.PidMap;
import io.procsys.fs.identity.SocketInodes;
import io.procsys.fuse.EntryParam;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.ReplySink;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.posix.Stat;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster layer without a kernel: each operation of {@link ClusterFs} is called with a
 * {@link Request} whose replies go to a recording {@link ReplySink}, over a small local tree
 * and fake hosts whose answers the test completes (or fails) when it wants, as an agent would.
 */
class ClusterFsTest {
    static final FileAttributes DIR = new FileAttributes(Stat.S_IFDIR | 0555, 0, 0, 2, 0, 11, 0, 0, 0);
    static final FileAttributes FILE = new FileAttributes(Stat.S_IFREG | 0444, 0, 0, 1, 0, 12, 0, 0, 0);
    static final FileAttributes LINK = new FileAttributes(Stat.S_IFLNK | 0777, 0, 0, 1, 0, 13, 0, 0, 0);
    static final long ROOT = 1;

    /** A host whose every request waits until the test answers it. */
    static final class FakeHost implements Backend {
        final String name;
        final Map<String, CompletableFuture<Object>> asked = new HashMap<>();
        final List<String> requests = new ArrayList<>();
        final List<String> tableErrors = new ArrayList<>();
        int released;

        FakeHost(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @SuppressWarnings("unchecked")
        private <T> CompletableFuture<T> ask(String kind, String path) {
            requests.add(kind + " " + path);
            CompletableFuture<Object> answer = new CompletableFuture<>();
            asked.put(kind + " " + path, answer); // the test answers the latest request of each kind and path
            return (CompletableFuture<T>) answer;
        }

        @Override
        public void tableError(String why) {
            tableErrors.add(why);
        }

        void answer(String request, Object value) {
            asked.get(request).complete(value);
        }

        void fail(String request, int errno) {
            asked.get(request).completeExceptionally(new ErrnoException(errno, name));
        }

        @Override
        public CompletableFuture<FileAttributes> stat(String path) {
            return ask("stat", path);
        }

        @Override
        public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
            return ask("list", path);
        }

        @Override
        public CompletableFuture<String> readlink(String path) {
            return ask("readlink", path);
        }

        @Override
        public CompletableFuture<Content> read(String path) {
            return ask("read", path);
        }

        Content content(String text) {
            Content bytes = Contents.of(text);
            return new Content() {
                public MemorySegment bytes() {
                    return bytes.bytes();
                }

                public void release() {
                    released++;
                    bytes.release();
                }
            };
        }
    }

    ProcTree localTree;
    FakeHost here = new FakeHost("here");
    FakeHost far = new FakeHost("far");
    HostSet hosts;
    ClusterFs fs;
    RecordingSink sink = new RecordingSink();
    final MemorySegment reqPointer = Arena.ofAuto().allocate(8);

    Path localDir;

    @BeforeEach
    void mount(@TempDir Path local) throws Exception {
        localDir = local;
        Files.writeString(local.resolve("meminfo"), "MemTotal:        500 kB\n");
        Files.createDirectories(local.resolve("sys/kernel"));
        Files.writeString(local.resolve("sys/kernel/pid_max"), "4194304\n");
        Files.createDirectories(local.resolve("1"));
        Files.writeString(local.resolve("1/comm"), "init\n");
        localTree = ProcTree.open(local);
        hosts = new HostSet(List.of(here, far));
        fs = new ClusterFs(localTree, hosts, java.time.Duration.ZERO);
    }

    @AfterEach
    void unmount() {
        localTree.close();
    }

    Request req() {
        return Request.to(sink, reqPointer);
    }

    /** Looks {@code name} up in {@code parent}; returns the node id replied (0 when none yet). */
    long lookup(long parent, String name) {
        int before = sink.replies.size();
        fs.lookup(req(), parent, name);
        return sink.replies.size() > before && sink.last().kind().equals("entry") ? sink.last().node() : 0;
    }

    /** Looks {@code name} up in {@code parent}, {@code host} answering {@code asked} with {@code attributes}: the node id. */
    long found(FakeHost host, long parent, String name, String asked, FileAttributes attributes) {
        fs.lookup(req(), parent, name);
        host.answer(asked, attributes);
        assertEquals("entry", sink.last().kind(), sink.last().toString());
        return sink.last().node();
    }

    /** The cluster pid of {@code pid} of host {@code index}, as a listing would map it (without a start time). */
    int mapped(int index, int pid) {
        return fs.pids().clusterPid(index, pid, PidMap.UNKNOWN);
    }

    long hostsNode() {
        return lookup(ROOT, "hosts");
    }

    long farNode() {
        return found(far, hostsNode(), "far", "stat ", DIR);
    }

    /** Opens node {@code id} read-only; returns the open reply (or the error). */
    Reply open(long id, int flags) {
        fs.open(req(), id, FileInfo.withFlags(flags));
        return sink.last();
    }

    /** The names a readdir of {@code handle} returns from offset 0, decoded from struct fuse_dirent records. */
    List<String> readdir(long id, long handle) {
        FileInfo fi = FileInfo.withFlags(0);
        fi.setHandle(handle);
        fs.readdir(req(), id, 64 * 1024, 0, fi);
        Reply reply = sink.last();
        assertEquals("buf", reply.kind(), reply.toString());
        List<String> names = new ArrayList<>();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(reply.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 24) {
            int start = b.position();
            b.getLong(); // ino
            b.getLong(); // next offset
            int length = b.getInt();
            b.getInt(); // type
            byte[] name = new byte[length];
            b.get(name);
            names.add(new String(name, StandardCharsets.UTF_8));
            b.position(start + ((24 + length + 7) & ~7));
        }
        return names;
    }

    @Test
    void hostsIsAnsweredHereAndAHostByItsBackendLater() {
        long hostsId = hostsNode();
        assertNotEquals(0, hostsId);
        assertTrue(Stat.isDirectory(sink.last().attributes().mode()));

        int before = sink.replies.size();
        fs.lookup(req(), hostsId, "far");
        assertEquals(List.of("stat "), far.requests, "the host's root, asked of that host only");
        assertEquals(before, sink.replies.size(), "no reply until the host answers");
        far.answer("stat ", DIR);
        assertEquals("entry", sink.last().kind());
        assertEquals(DIR.inode(), sink.last().attributes().inode());
        assertTrue(here.requests.isEmpty());
    }

    @Test
    void anUnknownHostIsEnoentAtOnce() {
        fs.lookup(req(), hostsNode(), "nowhere");
        assertEquals(new Reply("err", Errno.ENOENT, 0, null, 0, null), sink.last());
    }

    @Test
    void aRemotePidAtTheTopIsThatHostsOwnPid() {
        int clusterPid = mapped(1, 4242);
        fs.lookup(req(), ROOT, Integer.toString(clusterPid));
        assertEquals(List.of("stat 4242"), far.requests);
        far.answer("stat 4242", DIR);
        long pidNode = sink.last().node();

        long statNode = found(far, pidNode, "stat", "stat 4242/stat", FILE);
        fs.getattr(req(), statNode);
        far.answer("stat 4242/stat", FILE);
        assertEquals(List.of("stat 4242", "stat 4242/stat", "stat 4242/stat"), far.requests);
        assertEquals(new Reply("attr", 0, 0, FILE, 0, null), sink.last());
    }

    @Test
    void anUnmappedClusterPidIsTheMirrorsAndTheMirrorSaysEnoent() {
        mapped(1, 1);
        fs.lookup(req(), ROOT, Integer.toString(PidMap.HOST_PID_LIMIT + 7));
        assertEquals(new Reply("err", Errno.ENOENT, 0, null, 0, null), sink.last());
        assertTrue(far.requests.isEmpty());
    }

    @Test
    void aHostsErrorIsPassedOnAndAnyOtherFailureIsEio() {
        long farId = farNode();
        fs.lookup(req(), farId, "secret");
        far.fail("stat secret", Errno.EACCES);
        assertEquals(Errno.EACCES, sink.last().errno());

        fs.lookup(req(), farId, "odd");
        far.asked.get("stat odd").completeExceptionally(new IllegalStateException("a bug, not an answer"));
        assertEquals(Errno.EIO, sink.last().errno());
    }

    @Test
    void aHostThatTimesOutGivesItsErrnoAndIsLeftOutOfTheRoot() {
        long farId = farNode();
        fs.getattr(req(), farId);
        far.fail("stat ", Errno.ETIMEDOUT); // what Peer answers at the deadline
        assertEquals(Errno.ETIMEDOUT, sink.last().errno());

        fs.opendir(req(), ROOT, FileInfo.withFlags(0));
        far.fail("list ", Errno.ETIMEDOUT);
        Reply opened = sink.last();
        assertEquals("open", opened.kind());
        assertEquals(List.of(".", "..", "1", "hosts", "meminfo", "sys"), sorted(readdir(ROOT, opened.handle())),
                "this host's entries and hosts/, nothing of the late host");
        assertEquals(1, far.tableErrors.size(), "left out, and said so");
        assertTrue(far.tableErrors.getFirst().startsWith("left out of a listing: far"), far.tableErrors.toString());
    }

    static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    @Test
    void theRootListsRemoteProcessesUnderClusterPids() {
        fs.opendir(req(), ROOT, FileInfo.withFlags(0));
        far.answer("list ", List.of(new ExportedTree.Entry("1", DIR), new ExportedTree.Entry("meminfo", FILE)));
        assertEquals(List.of(".", "..", "1", Integer.toString(mapped(1, 1)), "hosts", "meminfo", "sys"),
                sorted(readdir(ROOT, sink.last().handle())), "the local 1 stays, the remote 1 is renamed, remote files are not listed");
    }

    @Test
    void chunksComeFromOneRenderingAndReleaseFreesIt() {
        long farId = farNode();
        long node = found(far, farId, "meminfo", "stat meminfo", FILE);

        Reply opened = open(node, Libc.O_RDONLY);
        assertEquals(List.of("stat ", "stat meminfo", "read meminfo"), far.requests);
        far.answer("read meminfo", far.content("MemTotal: 100 kB\n"));
        opened = sink.last();
        assertEquals("open", opened.kind());

        FileInfo fi = handle(opened);
        fs.read(req(), node, 6, 3, fi);
        assertEquals("Total:", text(sink.last()), "the first read is answered from the open's rendering");
        fs.read(req(), node, 4, 9, fi);
        assertEquals(" 100", text(sink.last()), "where the last read ended: the same rendering");
        fs.read(req(), node, 4096, 13, fi);
        fs.read(req(), node, 4096, 17, fi);
        assertEquals(0, sink.last().data().length, "past the end: empty");
        assertEquals(3, far.requests.size(), "no read went to the host again");
        assertEquals(0, far.released);
        fs.release(req(), node, fi);
        assertEquals(1, far.released, "the received bytes are released with the handle");
        fs.read(req(), node, 10, 0, fi);
        assertEquals(Errno.EBADF, sink.last().errno());
    }

    static FileInfo handle(Reply opened) {
        FileInfo fi = FileInfo.withFlags(Libc.O_RDONLY);
        fi.setHandle(opened.handle());
        return fi;
    }

    static String text(Reply reply) {
        assertEquals("buf", reply.kind(), reply.toString());
        return new String(reply.data(), StandardCharsets.ISO_8859_1);
    }

    /** A handle renders again no sooner than 10 ms after its last rendering (RenderedFile): a sampling tool's next read comes later. */
    static void nextSample() {
        try {
            Thread.sleep(15);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aReadAtZeroRendersAHostsFileAgainAndReleasesTheRenderingItReplaces() {
        long node = found(far, farNode(), "loadavg", "stat loadavg", FILE);
        open(node, Libc.O_RDONLY);
        far.answer("read loadavg", far.content("0.10\n"));
        FileInfo fi = handle(sink.last());
        fs.read(req(), node, 4096, 0, fi);
        assertEquals("0.10\n", text(sink.last()));
        fs.read(req(), node, 4096, 5, fi);
        assertEquals("", text(sink.last()), "at the end");

        int before = sink.replies.size();
        nextSample();
        fs.read(req(), node, 4096, 0, fi); // lseek(0) and read: vmstat's and top's next sample
        assertEquals(List.of("stat ", "stat loadavg", "read loadavg", "read loadavg"), far.requests, "asked of the host again");
        assertEquals(before, sink.replies.size(), "answered when the host answers");
        far.answer("read loadavg", far.content("2.50\n"));
        assertEquals("2.50\n", text(sink.last()));
        assertEquals(1, far.released, "the open's rendering went when the new one came");

        nextSample();
        fs.read(req(), node, 2, 2, fi); // not where the last read ended: rendered again, as seq_file does
        far.answer("read loadavg", far.content("7.25\n"));
        assertEquals("25", text(sink.last()));
        assertEquals(2, far.released);
        fs.release(req(), node, fi);
        assertEquals(3, far.released, "one rendering held at a time, and none after release");
    }

    @Test
    void aCombinedFileReadAgainFansOutAgain() {
        long meminfo = lookup(ROOT, "meminfo");
        open(meminfo, Libc.O_RDONLY);
        here.answer("read meminfo", here.content("MemTotal:       1000 kB\n"));
        far.answer("read meminfo", far.content("MemTotal:       2000 kB\n"));
        FileInfo fi = handle(sink.last());
        fs.read(req(), meminfo, 4096, 0, fi);
        assertEquals("MemTotal:       3000 kB\n", text(sink.last()));

        nextSample();
        fs.read(req(), meminfo, 4096, 0, fi);
        here.answer("read meminfo", here.content("MemTotal:       1000 kB\n"));
        far.answer("read meminfo", far.content("MemTotal:       5000 kB\n"));
        assertEquals("MemTotal:       6000 kB\n", text(sink.last()), "every host asked again (no reuse time here)");
    }

    /** A remote process's comm (pid 4242 of host far, started at 777), mapped without a start time, opened and read once: its node and handle. */
    record Opened(long node, FileInfo handle) {}

    Opened openedComm() {
        int clusterPid = mapped(1, 4242); // mapped without a start time: the open takes the process's own
        fs.lookup(req(), ROOT, Integer.toString(clusterPid));
        far.answer("stat 4242", DIR);
        long comm = found(far, sink.last().node(), "comm", "stat 4242/comm", FILE);
        open(comm, Libc.O_RDONLY);
        far.answer("read 4242/comm", far.content("sleep\n"));
        FileInfo fi = handle(sink.last());
        far.answer("read 4242/stat", far.content(statLine(4242, 777))); // the start time of the process opened
        fs.read(req(), comm, 4096, 0, fi);
        assertEquals("sleep\n", text(sink.last()));
        return new Opened(comm, fi);
    }

    @Test
    void aRemoteProcessThatExitedWhileItsFileWasOpenAnswersEsrch() {
        Opened opened = openedComm();
        long comm = opened.node();
        FileInfo fi = opened.handle();
        nextSample();
        fs.read(req(), comm, 4096, 0, fi);
        far.fail("read 4242/comm", Errno.ENOENT);
        assertEquals(Errno.ESRCH, sink.last().errno(), "as /proc answers for a process file kept open");
        nextSample();
        fs.read(req(), comm, 4096, 0, fi);
        far.answer("read 4242/comm", far.content("sleep\n"));
        far.answer("read 4242/stat", far.content(statLine(4242, 777)));
        assertEquals("sleep\n", text(sink.last()), "a failed rendering is tried again at the next read");
    }

    /** A stat line of process {@code pid} started at {@code startTime} (field 22). */
    static String statLine(int pid, long startTime) {
        return pid + " (sleep) S 1 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 " + startTime + " 8192 100 0\n";
    }

    @Test
    void aRemotePidReusedWhileItsFileWasOpenIsNotReadForIt() {
        Opened opened = openedComm();
        nextSample();
        fs.read(req(), opened.node(), 4096, 0, opened.handle());
        far.answer("read 4242/comm", far.content("nginx\n")); // another process has pid 4242 now
        far.answer("read 4242/stat", far.content(statLine(4242, 999)));
        assertEquals(Errno.ESRCH, sink.last().errno(), "the process opened is gone: its pid's new process is not shown under it");
        assertEquals(3, far.released, "the other process's text released, and both stats");
    }

    @Test
    void aWriteUnderAHostThatLeftIsStillRefusedAsAWrite() {
        long farId = farNode();
        long node = found(far, farId, "meminfo", "stat meminfo", FILE);
        hosts.remove(far);
        assertEquals(Errno.EROFS, open(node, Libc.O_WRONLY).errno());
        assertEquals(Errno.ENOENT, open(node, Libc.O_RDONLY).errno());
    }

    @Test
    void writesAreRefusedAndHostsIsNoFile() {
        long farId = farNode();
        assertEquals(Errno.EROFS, open(found(far, farId, "meminfo", "stat meminfo", FILE), Libc.O_WRONLY).errno());
        assertEquals(Errno.EISDIR, open(hostsNode(), Libc.O_RDONLY).errno());
    }

    @Test
    void pidMaxIsTheClusterPidSpace() {
        long sys = lookup(ROOT, "sys");
        long kernel = lookup(sys, "kernel");
        long pidMax = lookup(kernel, "pid_max");
        Reply opened = open(pidMax, Libc.O_RDONLY);
        FileInfo fi = FileInfo.withFlags(0);
        fi.setHandle(opened.handle());
        fs.read(req(), pidMax, 100, 0, fi);
        assertEquals(PidMap.CLUSTER_PID_LIMIT + "\n", new String(sink.last().data(), StandardCharsets.US_ASCII));
    }

    @Test
    void combinedFilesAreEveryHostsCopyAndALateHostIsLeftOut() {
        long meminfo = lookup(ROOT, "meminfo");
        assertNotEquals(0, meminfo, "the mirror looks it up in the fixture");
        Reply pending = open(meminfo, Libc.O_RDONLY);
        here.answer("read meminfo", here.content("MemTotal:       1000 kB\n"));
        far.fail("read meminfo", Errno.ETIMEDOUT);
        Reply opened = sink.last();
        assertEquals("open", opened.kind(), opened.toString());
        FileInfo fi = FileInfo.withFlags(0);
        fi.setHandle(opened.handle());
        fs.read(req(), meminfo, 4096, 0, fi);
        assertEquals("MemTotal:       1000 kB\n", new String(sink.last().data(), StandardCharsets.ISO_8859_1));
        assertEquals(1, here.released, "the part is released once combined");
    }

    @Test
    void hostsListsEveryHostAndNotOneThatLeft() {
        long hostsId = hostsNode();
        fs.opendir(req(), hostsId, FileInfo.withFlags(0));
        assertEquals(List.of("here", "far"), readdir(hostsId, sink.last().handle()));

        hosts.remove(far);
        fs.opendir(req(), hostsId, FileInfo.withFlags(0));
        assertEquals(List.of("here"), readdir(hostsId, sink.last().handle()));
    }

    @Test
    void underAHostThatLeftEverythingIsEnoent() {
        long farId = farNode();
        hosts.remove(far);
        fs.getattr(req(), farId);
        assertEquals(Errno.ENOENT, sink.last().errno());
        fs.lookup(req(), farId, "meminfo");
        assertEquals(Errno.ENOENT, sink.last().errno());
        fs.opendir(req(), farId, FileInfo.withFlags(0));
        assertEquals(Errno.ENOENT, sink.last().errno());
        assertEquals(List.of("stat "), far.requests, "nothing more asked of it");
    }

    @Test
    void threadsOfARemoteProcessGetClusterIdsBothWays() {
        long pid = found(far, ROOT, Integer.toString(mapped(1, 50)), "stat 50", DIR);
        long task = found(far, pid, "task", "stat 50/task", DIR);

        fs.opendir(req(), task, FileInfo.withFlags(0));
        far.answer("list 50/task", List.of(new ExportedTree.Entry("50", DIR), new ExportedTree.Entry("51", DIR)));
        assertEquals(List.of(Integer.toString(mapped(1, 50)), Integer.toString(mapped(1, 51))),
                readdir(task, sink.last().handle()), "the main thread is its process; the other thread got a cluster id of its own");

        fs.lookup(req(), task, Integer.toString(mapped(1, 51)));
        assertEquals("stat 50/task/51", far.requests.getLast(), "asked under the host's own thread id");
        int before = sink.replies.size();
        fs.lookup(req(), task, "9999999999");
        assertEquals("stat 50/task/9999999999", far.requests.getLast(), "a name past every cluster pid is passed as it is");
        assertEquals(before, sink.replies.size(), "and answered by the host, not failed here");
        fs.lookup(req(), task, Integer.toString(PidMap.HOST_PID_LIMIT + 12345));
        assertEquals(Errno.ENOENT, sink.last().errno(), "an unmapped cluster id is no thread");
    }

    @Test
    void aRemoteProcessSocketLinkCarriesTheClusterInode() {
        long pid = found(far, ROOT, Integer.toString(mapped(1, 9)), "stat 9", DIR);
        long fd = found(far, pid, "fd", "stat 9/fd", DIR);
        fs.readlink(req(), found(far, fd, "3", "stat 9/fd/3", LINK));
        far.answer("readlink 9/fd/3", "socket:[777]");
        assertEquals("socket:[" + SocketInodes.encode(1, 777) + "]", new String(sink.last().data(), StandardCharsets.UTF_8));

        long farId = farNode();
        fs.readlink(req(), found(far, farId, "self", "stat self", LINK));
        far.answer("readlink self", "socket:[777]");
        assertEquals("socket:[777]", new String(sink.last().data(), StandardCharsets.UTF_8), "under hosts/ a host's own ids stay");
    }

    @Test
    void aReplyTheKernelNoLongerWantsLeavesNoHandle() {
        RecordingSink refusing = new RecordingSink() {
            @Override
            public int open(MemorySegment req, MemorySegment fileInfo) {
                super.open(req, fileInfo);
                return -Errno.ENOENT; // the opener was interrupted
            }
        };
        long farId = farNode();
        long node = found(far, farId, "meminfo", "stat meminfo", FILE);
        fs.open(Request.to(refusing, reqPointer), node, FileInfo.withFlags(Libc.O_RDONLY));
        far.answer("read meminfo", far.content("x"));
        assertEquals(1, far.released, "released at once: no release will come");
    }

    @Test
    void thisHostsStartTimesAreOnTheViewsClockAtTheTopAsEveryHostsAre() throws Exception {
        Files.writeString(localDir.resolve("uptime"), "100.00 50.00\n");
        Files.writeString(localDir.resolve("stat"), "cpu 1 2 3 4\nbtime 1000\n");
        Files.writeString(localDir.resolve("1/stat"), "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 250 1000 10\n");
        ListedHost self = new ListedHost("here");
        self.uptime = "100.00 50.00\n";
        ListedHost early = new ListedHost("early").with(7, 1, 500);
        early.uptime = "172900.00 10.00\n"; // booted two days before this host
        mountOver(self, List.of(early));
        double uptime = Double.parseDouble(readTop("uptime").split(" ")[0]);
        assertEquals(172_900, uptime, 1, "the view is up since its earliest boot");
        long btime = readTop("stat").lines().filter(l -> l.startsWith("btime ")).mapToLong(l -> Long.parseLong(l.substring(6))).sum();
        assertEquals(System.currentTimeMillis() / 1000.0, btime + uptime, 1.5, "btime + uptime = now");
        assertTrue(readWhole("1", "stat").endsWith(" 0 " + (250 + 172_800 * 100) + " 1000 10\n"), "this host's init, moved by the two days: " + readWhole("1", "stat"));
        String clusterPid = listedProcesses().get("early/7");
        assertTrue(readWhole(clusterPid, "stat").endsWith(" 0 500 1000 10\n"), "the earliest host's own start times stay");
    }

    /** A top-level file of the mount, whole. */
    String readTop(String name) {
        return readWhole(lookup(ROOT, name), name);
    }

    /** A host that answers at once from the processes it holds, with their start times as a process table gives them. */
    static final class ListedHost implements Backend {
        record Process(int ppid, long startTime) {}

        final String name;
        final Map<Integer, Process> processes = new java.util.TreeMap<>();
        /** Its /proc/uptime (null: none, as a captured tree without one). */
        String uptime;

        ListedHost(String name) {
            this.name = name;
        }

        ListedHost with(int pid, int ppid, long startTime) {
            processes.put(pid, new Process(ppid, startTime));
            return this;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletableFuture<FileAttributes> stat(String path) {
            return CompletableFuture.completedFuture(path.endsWith("stat") ? FILE : DIR);
        }

        @Override
        public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
            if (!path.isEmpty()) return CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, path));
            List<ExportedTree.Entry> entries = new ArrayList<>();
            for (int pid : processes.keySet()) entries.add(new ExportedTree.Entry(Integer.toString(pid), DIR));
            entries.add(new ExportedTree.Entry("meminfo", FILE));
            return CompletableFuture.completedFuture(entries);
        }

        @Override
        public CompletableFuture<String> readlink(String path) {
            return CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, path));
        }

        @Override
        public CompletableFuture<Content> read(String path) {
            if (path.equals("stat")) return CompletableFuture.completedFuture(Contents.of("cpu 1 2 3 4\nbtime 1000\n"));
            if (path.equals("uptime")) {
                return uptime == null ? CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, path)) : CompletableFuture.completedFuture(Contents.of(uptime));
            }
            int pid = Integer.parseInt(path.substring(0, path.indexOf('/')));
            Process p = processes.get(pid);
            if (p == null) return CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, path));
            return CompletableFuture.completedFuture(Contents.of(pid + " (p" + pid + ") S " + p.ppid + " " + pid + " " + pid
                    + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + p.startTime + " 1000 10\n"));
        }

        @Override
        public long startTimeSeen(int pid) {
            Process p = processes.get(pid);
            return p == null ? -1 : p.startTime;
        }
    }

    /** A mount over {@code remote} (this host a ListedHost too). */
    void mountOver(List<ListedHost> remote) {
        mountOver(new ListedHost("here"), remote);
    }

    void mountOver(ListedHost self, List<ListedHost> remote) {
        List<Backend> all = new ArrayList<>();
        all.add(self);
        all.addAll(remote);
        hosts = new HostSet(all);
        fs = new ClusterFs(localTree, hosts, java.time.Duration.ZERO);
    }

    /** The cluster pid directories the root lists, by "host/localPid" (decoded with which, as procsys which does). */
    Map<String, String> listedProcesses() {
        fs.opendir(req(), ROOT, FileInfo.withFlags(0));
        List<String> names = readdir(ROOT, sink.last().handle()).stream()
                .filter(n -> n.matches("[0-9]+") && Long.parseLong(n) >= PidMap.HOST_PID_LIMIT).toList();
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "every cluster pid listed once");
        ClusterActions actions = new ClusterActions(hosts, fs.pids());
        Map<String, String> byHostPid = new HashMap<>();
        for (String n : names) {
            ClusterActions.Location at = actions.which(Long.parseLong(n));
            assertEquals(null, byHostPid.put(at.host() + "/" + at.localPid(), n), "one cluster pid per process");
        }
        return byHostPid;
    }

    /** The whole text of file {@code name} of top-level directory {@code dir}, as a reader gets it. */
    String readWhole(String dir, String name) {
        return readWhole(lookup(lookup(ROOT, dir), name), dir + "/" + name);
    }

    /** The whole text of node {@code node} ({@code what}, to say), as a reader gets it. */
    String readWhole(long node, String what) {
        Reply opened = open(node, Libc.O_RDONLY);
        assertEquals("open", opened.kind(), what);
        FileInfo fi = FileInfo.withFlags(Libc.O_RDONLY);
        fi.setHandle(opened.handle());
        fs.read(req(), node, 64 * 1024, 0, fi);
        String text = new String(sink.last().data(), StandardCharsets.ISO_8859_1);
        fs.release(req(), node, fi);
        return text;
    }

    @Test
    void threeHundredHostsAreListedWithUniquePidsAndTheirParents() {
        List<ListedHost> remote = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            // the same local pids on every host: only the map tells them apart
            remote.add(new ListedHost("node" + i).with(1, 0, 5).with(100, 1, 50).with(101, 100, 60 + i).with(2000 + i, 101, 70));
        }
        mountOver(remote);
        Map<String, String> listed = listedProcesses();
        assertEquals(300 * 4, listed.size(), "every process of every host, past the old limit of 255 hosts");
        for (ListedHost h : remote) {
            for (var p : h.processes.entrySet()) {
                String clusterPid = listed.get(h.name + "/" + p.getKey());
                assertTrue(clusterPid != null, h.name + "/" + p.getKey() + " listed");
                String[] stat = readWhole(clusterPid, "stat").split(" ");
                assertEquals(clusterPid, stat[0], "the pid in stat is its directory's");
                int ppid = p.getValue().ppid();
                assertEquals(ppid == 0 ? "0" : listed.get(h.name + "/" + ppid), stat[3], "ppid of " + h.name + "/" + p.getKey() + ": its parent's directory");
            }
        }
        System.out.printf("300 hosts: %d cluster pids mapped, %d bytes of map%n", fs.pids().size(), fs.pids().bytes());
    }

    @Test
    void aReusedPidGetsANewClusterPidAndTheOldOneKeepsTheOldStartTime() {
        ListedHost host = new ListedHost("node1").with(1, 0, 5).with(300, 1, 1000);
        mountOver(List.of(host));
        String old = listedProcesses().get("node1/300");
        assertEquals(old, listedProcesses().get("node1/300"), "stable from one listing to the next");

        host.with(300, 1, 2000); // pid 300 exited and a new process has it
        Map<String, String> after = listedProcesses();
        String reused = after.get("node1/300");
        assertNotEquals(old, reused, "a new process, a new cluster pid");
        assertFalse(after.containsValue(old), "the old cluster pid is no longer listed");
        assertEquals(new PidMap.Local(1, 300, 1000), fs.pids().local(Long.parseLong(old)),
                "the old cluster pid still names the old process: an action on it carries start time 1000 and the agent answers ESRCH");
        assertEquals(new PidMap.Local(1, 300, 2000), fs.pids().local(Long.parseLong(reused)));
        assertTrue(readWhole(reused, "stat").endsWith(" 2000 1000 10\n"), "the new cluster pid reads the new process");
        fs.lookup(req(), ROOT, old);
        assertEquals(Errno.ENOENT, sink.last().errno(), "the old cluster pid is gone with its process, not the new process's files");
    }
}
