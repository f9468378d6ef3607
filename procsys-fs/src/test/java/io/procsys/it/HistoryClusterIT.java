package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recorded cluster (issue 40): three agents (mutual TLS, each recording this host's /proc under
 * its own name) — b is killed during the recording; c pushes its closed blocks over mutual TLS to
 * a (c --archive-to a's address, a --accept-archives DIR, which files them under c's certificate
 * name) and is then killed and its own recording deleted. One view of the past (a real
 * `procsys mount --at`, paused, moved with `procsys seek`): before b's last frame all three hosts
 * are there, after it b is absent and `procsys status` names it; c's past comes from the archive
 * alone; hosts/ lists the hosts present, meminfo sums them, ps shows each one's processes.
 */
class HistoryClusterIT {
    static final List<String> NAMES = List.of("a", "b", "c");
    static final String MARK = "6048";
    static Path work, certs, records, archive, view;
    static RecordingAgent a, b, c;
    static Process marker;
    /** Frames of b, and of c's archive, after the kills. */
    static List<Long> framesOfB, framesOfC;
    /** A time all three are present (before b's last frame), and one after b's last frame while a and c are still present. */
    static long allThere, bGone;

    @BeforeAll
    static void recordThenLoseTwoHosts() throws Exception {
        work = Files.createTempDirectory("procsys-history-cluster-");
        certs = work.resolve("certs");
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "here", "a", "b", "c");
        assertEquals(0, made.exit(), made.all());
        records = work.resolve("records");
        archive = work.resolve("archive");
        marker = new ProcessBuilder("sleep", MARK).start();
        a = RecordingAgent.start("a", certs, records, work.resolve("a.log"), "--accept-archives", archive.toString());
        b = RecordingAgent.start("b", certs, records, work.resolve("b.log"));
        c = RecordingAgent.start("c", certs, records, work.resolve("c.log"), "--archive-to", "127.0.0.1:" + a.port());
        for (RecordingAgent agent : List.of(a, b, c)) agent.waitForBlocks(2, 30_000);
        b.kill();
        framesOfB = RecordingAgent.frameTimes(b.recording());
        long lastOfB = framesOfB.getLast();
        // c records on, and a has its blocks, until well after b's last frame; then c dies, and its disk with it
        ClusterMountIT.waitFor(() -> framesIn(archive.resolve("c")).stream().anyMatch(t -> t > lastOfB + 3 * RecordingAgent.BLOCK_MS), 30_000,
                "c's blocks reach a: " + c.logText() + a.logText());
        c.kill();
        try (var walk = Files.walk(c.recording())) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        framesOfC = RecordingAgent.frameTimes(archive.resolve("c"));
        allThere = lastOfB / 1000 * 1000 - 1000;
        bGone = (lastOfB + 2 * RecordingAgent.INTERVAL_MS + 1000) / 1000 * 1000 + 1000;
        for (List<Long> frames : List.of(framesOfB, framesOfC, RecordingAgent.frameTimes(a.recording()))) {
            assertTrue(frames.getFirst() <= allThere, "every host recorded before " + allThere + ": " + frames.getFirst());
        }
        assertTrue(framesOfC.getLast() > bGone + 1000, "c is still there after b is gone");
        view = Files.createDirectory(work.resolve("view"));
        List<String> mount = new ArrayList<>(List.of("mount", "--at", "@" + allThere / 1000, "--name", "here", "--certs-dir", certs.toString()));
        for (RecordingAgent agent : List.of(a, b, c)) mount.addAll(List.of("--peer", agent.peer()));
        mount.addAll(List.of("--history", records.toString(), "--history", archive.toString(), view.toString()));
        Commands.Result mounted = Commands.procsys(mount.toArray(String[]::new));
        assertEquals(0, mounted.exit(), mounted.all());
        Commands.Result paused = Commands.procsys("pause", view.toString());
        assertEquals(0, paused.exit(), paused.all());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (view != null) Commands.procsys("umount", view.toString());
        for (RecordingAgent agent : new RecordingAgent[]{a, b, c}) if (agent != null) agent.close();
        if (marker != null) marker.destroyForcibly();
        if (work != null) {
            try (var walk = Files.walk(work)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static List<Long> framesIn(Path recording) {
        try {
            return RecordingAgent.frameTimes(recording);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Moves the (paused) view to {@code millis}, whole seconds. */
    static void seek(long millis) {
        Commands.Result r = Commands.procsys("seek", view.toString(), "@" + millis / 1000);
        assertEquals(0, r.exit(), r.all());
    }

    static List<String> hosts() throws IOException {
        return ClusterMountIT.names(view.resolve("hosts"));
    }

    /** Field {@code key} of a meminfo, kB. */
    static long meminfo(Path file, String key) throws IOException {
        return Files.readString(file).lines().filter(l -> l.startsWith(key + ":")).map(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + file));
    }

    /** The view's meminfo against the sum of its hosts' own, field by field. */
    static void meminfoSumsTheHosts(List<String> present) throws IOException {
        for (String key : List.of("MemTotal", "MemFree", "Cached")) {
            long sum = 0;
            for (String h : present) sum += meminfo(view.resolve("hosts/" + h + "/meminfo"), key);
            assertEquals(sum, meminfo(view.resolve("meminfo"), key), key + " of " + present);
        }
        long one = meminfo(Path.of("/proc/meminfo"), "MemTotal");
        assertEquals(present.size() * one, meminfo(view.resolve("meminfo"), "MemTotal"), "each host is this one: " + present);
    }

    /** The marker sleeper's lines in ps over the view: one per host present, each under its own cluster pid. */
    static List<String> markersInPs() {
        Commands.Result ps = Commands.throughMirror(view, "ps", "-eo", "pid,args");
        assertEquals(0, ps.exit(), ps.all());
        return ps.out().lines().filter(l -> l.strip().endsWith("sleep " + MARK)).toList();
    }

    static String status() {
        Commands.Result r = Commands.procsys("status", view.toString());
        assertEquals(0, r.exit(), r.all());
        return r.out();
    }

    @Test
    void beforeItsLastFrameTheKilledHostIsThereAndAfterItAbsent() throws IOException {
        seek(allThere);
        assertEquals(NAMES, hosts(), status());
        String before = status();
        for (String h : NAMES) assertTrue(before.contains("  " + h + ": present"), before);
        meminfoSumsTheHosts(NAMES);
        List<String> ps = markersInPs();
        assertEquals(3, ps.size(), "the sleeper of each host: " + ps);
        assertEquals(3, ps.stream().map(l -> l.strip().split("\\s+")[0]).distinct().count(), "under three cluster pids: " + ps);

        seek(bGone);
        assertEquals(List.of("a", "c"), hosts(), status());
        String after = status();
        System.out.println("HistoryClusterIT: b's last frame " + framesOfB.getLast() + "; status at " + allThere + ":\n" + before + "at " + bGone + ":\n" + after);
        assertTrue(after.contains("  b: ABSENT") && after.contains("  a: present") && after.contains("  c: present"), after);
        meminfoSumsTheHosts(List.of("a", "c"));
        assertEquals(2, markersInPs().size(), "b's processes are gone with it");
    }

    /** procsys which on the view: each host's marker, by the cluster pid ps gave it, is that host's pid of the marker then. */
    @Test
    void whichNamesTheHostAndPidOfEachClusterPidAtTheTimeShown() {
        seek(allThere);
        List<String> pids = markersInPs().stream().map(l -> l.strip().split("\\s+")[0]).toList();
        List<String> args = new ArrayList<>(List.of("which", "--mount", view.toString()));
        args.addAll(pids);
        args.add("1073741823"); // no process of the view
        Commands.Result which = Commands.procsys(args.toArray(String[]::new));
        assertEquals(1, which.exit(), "one pid not found: " + which.all());
        List<String> hostsOf = which.out().lines().map(l -> l.split(" ")).peek(f -> assertEquals(marker.pid() + "", f[2], which.out()))
                .map(f -> f[1]).sorted().toList();
        assertEquals(NAMES, hostsOf, which.all());
        assertTrue(which.err().contains("which 1073741823: "), which.err());
    }

    @Test
    void theArchivedHostIsServedAfterItAndItsDiskAreGone() throws IOException {
        assertTrue(Files.notExists(c.recording()) && !c.process().isAlive(), "c and its own recording are gone");
        assertEquals(List.of("c"), ClusterMountIT.names(archive), "a files c's blocks under c's certificate name, and nothing else");
        seek(framesOfC.get(framesOfC.size() / 2) / 1000 * 1000);
        assertTrue(hosts().contains("c"), status());
        assertTrue(Files.exists(view.resolve("hosts/c/" + marker.pid() + "/stat")), "c's processes, from the archive");
        assertTrue(Files.readString(view.resolve("hosts/c/meminfo")).startsWith("MemTotal:"));
        assertTrue(status().contains("  c: present"), status());
    }
}
