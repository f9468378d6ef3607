package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk (issue 40): an agent records into a 1 MiB tmpfs, which a file then fills. Recording
 * stops with one log line however many retries fail; meanwhile the agent serves its live files and
 * its recorded past (a view of a time before the disk filled, asked of the agent over TLS); when
 * the file is deleted recording resumes, and its new frames are served too.
 */
class HistoryFullDiskIT {
    static final String NAME = "full";
    static Path work, disk, certs, live;
    static RecordingAgent agent;
    /** A sleeper whose argument marks it in every view. */
    static Process marker;
    static final String MARK = "6047";
    /** When the disk was filled, the first failure was logged, and space was freed. */
    static long filledAt, stoppedAt, freedAt;
    static List<Long> framesBeforeFull;
    static String liveMeminfo;

    @BeforeAll
    static void fillTheDiskWhileRecording() throws Exception {
        work = Files.createTempDirectory("procsys-fulldisk-");
        disk = Files.createDirectory(work.resolve("disk"));
        Commands.Result mounted = Commands.run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "procsys-fulldisk", disk.toString());
        assertEquals(0, mounted.exit(), mounted.all());
        certs = work.resolve("certs");
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "here", NAME);
        assertEquals(0, made.exit(), made.all());
        marker = new ProcessBuilder("sleep", MARK).start();
        agent = RecordingAgent.start(NAME, certs, disk, work.resolve("agent.log"));
        agent.waitForBlocks(1, 30_000);
        filledAt = System.currentTimeMillis();
        framesBeforeFull = RecordingAgent.frameTimes(agent.recording());
        fill(disk.resolve("filler"));
        stoppedAt = waitForLog("recording stopped", 20_000);
        live = Files.createDirectory(work.resolve("live"));
        Commands.Result mount = Commands.procsys("mount", "--name", "here", "--certs-dir", certs.toString(), "--peer", agent.peer(), live.toString());
        assertEquals(0, mount.exit(), mount.all());
        ClusterMountIT.waitFor(() -> Files.isReadable(live.resolve("hosts/" + NAME + "/meminfo")), 30_000, NAME + " up");
        liveMeminfo = Files.readString(live.resolve("hosts/" + NAME + "/meminfo"));
        // at least one retry fails while full (a retry a block after the failure, then a block of frames): still one line
        Thread.sleep(Math.max(0, stoppedAt + 2 * RecordingAgent.BLOCK_MS + 1500 - System.currentTimeMillis()));
        freedAt = System.currentTimeMillis();
        Files.delete(disk.resolve("filler"));
        waitForLog("recording: resumed", 20_000);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (live != null) Commands.procsys("umount", live.toString());
        if (agent != null) agent.close();
        if (marker != null) marker.destroyForcibly();
        if (disk != null) Commands.run("umount", disk.toString());
        if (work != null) {
            try (var walk = Files.walk(work)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Writes {@code file} until the disk has no byte left (ENOSPC), in ever smaller pieces. */
    static void fill(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int piece = 64 << 10; piece >= 1; piece /= 4) {
                byte[] bytes = new byte[piece];
                try {
                    while (true) {
                        out.write(bytes);
                        out.flush();
                    }
                } catch (IOException full) {
                    // a smaller piece may still fit
                }
            }
        } catch (IOException full) {
            // closing flushes nothing more: the disk is full
        }
        assertTrue(Files.getFileStore(file).getUsableSpace() < 4096, "the disk is full: " + Files.getFileStore(file).getUsableSpace());
    }

    /** Waits for a line of the agent's log that contains {@code text}; when it was seen. */
    static long waitForLog(String text, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!agent.logText().contains(text)) {
            if (System.currentTimeMillis() > end) throw new AssertionError("no '" + text + "' in the agent's log after " + millis + " ms: " + agent.logText());
            Thread.sleep(100);
        }
        return System.currentTimeMillis();
    }

    /** {@code tool} over the agent's past at {@code atMillis} (whole seconds), asked of the agent. */
    static Commands.Result past(long atMillis, String... tool) {
        List<String> args = new ArrayList<>(List.of("exec", "--at", "@" + atMillis / 1000, "--name", "here", "--certs-dir", certs.toString(),
                "--peer", agent.peer(), "--"));
        args.addAll(List.of(tool));
        Commands.Result r = Commands.procsys(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        return r;
    }

    @Test
    void aFullDiskStopsRecordingWithOneLogLine() {
        List<String> lines = agent.logText().lines().filter(l -> l.contains("recording stopped")).toList();
        System.out.println("HistoryFullDiskIT: the agent's log says\n" + String.join("\n", agent.logText().lines().filter(l -> l.contains("recording")).toList()));
        assertEquals(1, lines.size(), "one line, however many retries failed: " + agent.logText());
        assertTrue(lines.getFirst().contains("No space left on device") && lines.getFirst().contains("the agent goes on serving"),
                "it says why and what goes on: " + lines.getFirst());
        assertTrue(agent.process().isAlive(), "the agent lives");
    }

    @Test
    void theLiveFilesAreServedWhileTheDiskIsFull() throws IOException {
        assertTrue(liveMeminfo.startsWith("MemTotal:"), liveMeminfo);
        assertEquals(Files.readString(Path.of("/proc/meminfo")).lines().findFirst(), liveMeminfo.lines().findFirst(), "this host's memory");
        assertTrue(Files.exists(live.resolve("hosts/" + NAME + "/" + marker.pid() + "/stat")), "its processes");
    }

    @Test
    void thePastBeforeTheDiskFilledIsServedByTheAgent() {
        long before = framesBeforeFull.get(framesBeforeFull.size() / 2);
        Commands.Result ps = past(before, "ps", "-eo", "args");
        assertTrue(ps.out().contains("sleep " + MARK), "the past before the full disk: " + ps.all());
    }

    @Test
    void recordingResumesWhenSpaceIsFreedAndTheGapIsAbsent() throws IOException {
        List<Long> frames = RecordingAgent.frameTimes(agent.recording());
        int widest = 1; // the gap the full disk left: the widest between two stored frames
        for (int i = 1; i < frames.size(); i++) if (frames.get(i) - frames.get(i - 1) > frames.get(widest) - frames.get(widest - 1)) widest = i;
        long lastBefore = frames.get(widest - 1), firstAfter = frames.get(widest);
        System.out.println("HistoryFullDiskIT: filled " + filledAt + ", stopped " + stoppedAt + ", freed " + freedAt + "; frames stop at "
                + lastBefore + " and resume at " + firstAfter);
        assertTrue(lastBefore < stoppedAt && firstAfter > stoppedAt, "the gap is where the write failed");
        assertTrue(firstAfter <= freedAt + RecordingAgent.BLOCK_MS + RecordingAgent.INTERVAL_MS, "recording resumed within a block of the "
                + "space coming back: its first frame " + (firstAfter - freedAt) + " ms after");
        long inGap = (lastBefore + 2 * RecordingAgent.INTERVAL_MS + 1000) / 1000 * 1000 + 1000;
        assertTrue(inGap < firstAfter, "a second of the gap to look at");
        Commands.Result gap = past(inGap, "ls", "/proc/hosts");
        assertFalse(gap.out().contains(NAME), "absent while the disk was full: " + gap.all());
        Commands.Result after = past((firstAfter + 1999) / 1000 * 1000, "ps", "-eo", "args");
        assertTrue(after.out().contains("sleep " + MARK), "the frames after the disk was freed are served: " + after.all());
    }
}
