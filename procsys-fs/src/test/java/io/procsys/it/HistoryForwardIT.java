package io.procsys.it;

import io.procsys.history.RecordedHistory;
import io.procsys.net.Tls;
import io.procsys.net.protocol.HistoryHostList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pasts reached through an agent that is not the host's own (issue 40, protocol 10), over mutual
 * TLS, each in a real `procsys mount --at` with --peer alone (no --history):
 * (a) c pushes its blocks to a (--accept-archives) and is killed with its disk: a mount of a
 * alone shows c's past under hosts/c/, asked of a; (b) two recording leaves under a tree node
 * (`node --export combined --record`): a mount of the node alone shows both leaves, asked of the
 * node, which forwards to them; (c) peers whose lists of hosts are malformed or oversized are
 * refused with a status line, and their own past is served as before.
 */
class HistoryForwardIT {
    static final String MARK = "6049";
    static Path work, certs, archive, nodeMount, topRecords;
    static RecordingAgent a, c, l1, l2;
    static Process top, marker;
    static int topPort;
    static HostilePeer oversized, misnamed;
    static final List<Path> views = new ArrayList<>();
    static List<Long> framesOfC;
    @BeforeAll
    static void recordAnArchiveAndATree() throws Exception {
        work = Files.createTempDirectory("procsys-history-forward-");
        certs = work.resolve("certs");
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "here", "a", "c", "l1", "l2", "top", "evil1", "evil2");
        assertEquals(0, made.exit(), made.all());
        archive = work.resolve("archive");
        marker = new ProcessBuilder("sleep", MARK).start();
        // each its own --record DIR, as on hosts of their own: what a host serves is its own, its archive's, or forwarded
        a = RecordingAgent.start("a", certs, work.resolve("records-a"), work.resolve("a.log"), "--accept-archives", archive.toString());
        c = RecordingAgent.start("c", certs, work.resolve("records-c"), work.resolve("c.log"), "--archive-to", "127.0.0.1:" + a.port());
        l1 = RecordingAgent.start("l1", certs, work.resolve("records-l1"), work.resolve("l1.log"));
        l2 = RecordingAgent.start("l2", certs, work.resolve("records-l2"), work.resolve("l2.log"));
        startTreeNode();
        for (RecordingAgent agent : List.of(a, c, l1, l2)) agent.waitForBlocks(3, 30_000);
        ClusterMountIT.waitFor(() -> HistoryClusterIT.framesIn(archive.resolve("c")).size() >= 8, 30_000, "c's blocks reach a: " + c.logText() + a.logText());
        c.kill();
        try (var walk = Files.walk(c.recording())) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        framesOfC = RecordingAgent.frameTimes(archive.resolve("c"));
    }

    /** top: a tree node over l1 and l2, recording its own host too (node takes --record as agent does). */
    static void startTreeNode() throws Exception {
        topPort = ClusterMountIT.freePortBelowEphemeralRange();
        nodeMount = Files.createDirectory(work.resolve("top-mount"));
        topRecords = work.resolve("records-top");
        top = new ProcessBuilder(Commands.launcher().toString(), "node", "--export", "combined", "--name", "top", "--certs-dir", certs.toString(),
                "--listen", "127.0.0.1:" + topPort, "--peer", l1.peer(), "--peer", l2.peer(),
                "--record", topRecords.toString(), "--record-interval", RecordingAgent.INTERVAL_MS + "ms", "--record-block", RecordingAgent.BLOCK_MS + "ms",
                nodeMount.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(work.resolve("top.log").toFile()).start();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Path v : views) Commands.procsys("umount", v.toString());
        for (HostilePeer h : new HostilePeer[]{oversized, misnamed}) if (h != null) h.close();
        if (top != null) {
            top.destroy(); // it unmounts on SIGTERM
            if (!top.waitFor(20, TimeUnit.SECONDS)) top.destroyForcibly();
        }
        for (RecordingAgent agent : new RecordingAgent[]{a, c, l1, l2}) if (agent != null) agent.close();
        if (marker != null) marker.destroyForcibly();
        if (work != null) Commands.run("rm", "-rf", work.toString());
    }

    /** A paused view at {@code millis} of {@code peers} (NAME=HOST:PORT), nothing else. */
    static Path view(String name, long millis, String... peers) throws IOException {
        Path view = Files.createDirectory(work.resolve(name));
        List<String> mount = new ArrayList<>(List.of("mount", "--at", "@" + millis / 1000, "--name", "here", "--certs-dir", certs.toString()));
        for (String p : peers) mount.addAll(List.of("--peer", p));
        mount.add(view.toString());
        Commands.Result mounted = Commands.procsys(mount.toArray(String[]::new));
        assertEquals(0, mounted.exit(), mounted.all());
        views.add(view);
        Commands.Result paused = Commands.procsys("pause", view.toString());
        assertEquals(0, paused.exit(), paused.all());
        return view;
    }

    static String status(Path view) {
        Commands.Result r = Commands.procsys("status", view.toString());
        assertEquals(0, r.exit(), r.all());
        return r.out();
    }

    /** The marker sleeper's lines in ps over the view: one per host present. */
    static long markersInPs(Path view) {
        Commands.Result ps = Commands.throughMirror(view, "ps", "-eo", "pid,args");
        assertEquals(0, ps.exit(), ps.all());
        return ps.out().lines().filter(l -> l.strip().endsWith("sleep " + MARK)).count();
    }

    /** Whether {@code host}'s past in {@code view} has the marker and a meminfo, as recorded. */
    static void showsTheRecordedHost(Path view, String host) throws IOException {
        assertTrue(Files.exists(view.resolve("hosts/" + host + "/" + marker.pid() + "/stat")), host + "'s processes: " + status(view));
        assertTrue(Files.readString(view.resolve("hosts/" + host + "/meminfo")).startsWith("MemTotal:"), host + "'s meminfo");
        assertTrue(Files.readString(view.resolve("hosts/" + host + "/" + marker.pid() + "/cmdline")).startsWith("sleep"), host + "'s marker");
    }

    @Test
    void aDeadHostsPastIsServedByTheAgentItArchivedTo() throws IOException {
        assertTrue(Files.notExists(c.recording()) && !c.process().isAlive(), "c and its own recording are gone");
        Path view = view("view-archive", framesOfC.get(framesOfC.size() / 2) / 1000 * 1000, a.peer());
        assertEquals(List.of("a", "c"), ClusterMountIT.names(view.resolve("hosts")), status(view));
        showsTheRecordedHost(view, "c");
        assertEquals(2, markersInPs(view), "a's and c's sleeper");
        String status = status(view);
        assertTrue(status.contains("  c: present") && status.contains("agent 127.0.0.1:" + a.port() + " for c"), status);
        assertTrue(status.contains("a (agent 127.0.0.1:" + a.port() + ") serves the past of c"), status);
    }

    @Test
    void aTreeNodeServesThePastOfTheHostsBelowIt() throws Exception {
        Path topRecording = topRecords.resolve("top");
        ClusterMountIT.waitFor(() -> HistoryClusterIT.framesIn(topRecording).size() >= 4, 30_000, "top records its own host: " + Files.readString(work.resolve("top.log")));
        long at = Math.min(Math.min(RecordingAgent.frameTimes(l1.recording()).getLast(), RecordingAgent.frameTimes(l2.recording()).getLast()),
                RecordingAgent.frameTimes(topRecording).getLast()) / 1000 * 1000 - 1000;
        Path view = view("view-tree", at, "top=127.0.0.1:" + topPort);
        assertEquals(List.of("l1", "l2", "top"), ClusterMountIT.names(view.resolve("hosts")), status(view) + Files.readString(work.resolve("top.log")));
        showsTheRecordedHost(view, "l1");
        showsTheRecordedHost(view, "l2");
        showsTheRecordedHost(view, "top");
        assertEquals(3, markersInPs(view), "the sleeper of each host");
        String status = status(view);
        for (String leaf : List.of("l1", "l2")) {
            assertTrue(status.contains("  " + leaf + ": present") && status.contains("agent 127.0.0.1:" + topPort + " for " + leaf), status);
        }
    }

    @Test
    void aListOfHostsThatBreaksTheRulesIsRefusedAndTheRestServed() throws Exception {
        Tls.Credentials files1 = new Tls.Credentials(certs.resolve("evil1.pem"), certs.resolve("evil1-key.pem"), certs.resolve("ca.pem"));
        Tls.Credentials files2 = new Tls.Credentials(certs.resolve("evil2.pem"), certs.resolve("evil2-key.pem"), certs.resolve("ca.pem"));
        oversized = new HostilePeer("evil1", Path.of("/proc"), Tls.server(files1));
        misnamed = new HostilePeer("evil2", Path.of("/proc"), Tls.server(files2));
        for (HostilePeer h : List.of(oversized, misnamed)) {
            h.behind().history(new RecordedHistory(a.recording().getParent(), "a")); // its own past: a's recording
            h.mode = HostilePeer.Mode.BAD_LISTING;
        }
        oversized.listing = new byte[HistoryHostList.MAX_BYTES + 1];
        oversized.listing[0] = 0x04; // 1 024 hosts announced, and more bytes than any list of them
        misnamed.listing = "\u0000\u0002\u0001x\u0005../et".getBytes(StandardCharsets.ISO_8859_1);
        // a moment c is absent at (more than 2 intervals + 1 s after its last archived frame) and a present
        long cGone = framesOfC.getLast() + 2 * RecordingAgent.INTERVAL_MS + 2000;
        ClusterMountIT.waitFor(() -> HistoryClusterIT.framesIn(a.recording()).getLast() / 1000 * 1000 - 1000 > cGone, 30_000, "a records on");
        Path view = view("view-hostile", RecordingAgent.frameTimes(a.recording()).getLast() / 1000 * 1000 - 1000,
                "evil1=127.0.0.1:" + oversized.address().getPort(), "evil2=127.0.0.1:" + misnamed.address().getPort(), a.peer());
        String status = status(view);
        assertTrue(status.contains("evil1: no list of the hosts it serves") && status.contains("over " + HistoryHostList.MAX_BYTES), status);
        assertTrue(status.contains("evil2: no list of the hosts it serves") && status.contains("'../et'"), status);
        assertEquals(List.of("a", "evil1", "evil2"), ClusterMountIT.names(view.resolve("hosts")), status + "(c is gone by then)");
        showsTheRecordedHost(view, "evil1");
        showsTheRecordedHost(view, "a");
        assertTrue(status.contains("  evil2: present") && status.contains("  a: present"), status);
    }
}
