package io.procsys.it;

import io.procsys.history.Frame;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An incident replayed (issue 40): an agent records this host every 500 ms while a burner (a busy
 * loop at 50 % duty) is started and killed; then the agent is killed with SIGKILL, started again
 * a few seconds later and stopped. Afterwards `procsys exec --at` shows the host as it was: in the
 * burner's middle `ps` has it and every ppid, `top -bn2 -d1` shows it at the CPU it really had
 * (measured live, while it ran), `vmstat 1 3` prints the recorded rates; the SIGKILL lost at most
 * the open block, and across the gap the host is absent.
 */
class HistoryReplayIT {
    static final String NAME = "rec";
    static final long INTERVAL_MS = 500, BLOCK_MS = 2000;
    /** The burner: it spins while its CPU time is under half its age, else sleeps 10 ms (50 % duty, steady over any second); its argument names it. */
    static final String BURNER = "import time\ns=time.monotonic()\nc=time.process_time()\nwhile True:\n"
            + " if time.process_time()-c >= 0.5*(time.monotonic()-s): time.sleep(0.01)\n";
    static final String MARK = "procsys-burner-40";

    static Path dir, recording;
    static Process agent;
    static long burnerStart, burnerEnd, killedAt, restartedAt;
    static long burnerPid;
    /** Sleepers of uid 65534, one with gid 0 (a reader 65534/65534 may not trace it), one with gid 65534; their host pids. */
    static Process oddSleeper, sameSleeper;
    /** What nobody (65534/65534) reads of both on the live /proc while they run. */
    static String liveAsNobody;
    static final String NOBODY_READS = "for p in \"$@\"; do readlink /proc/$p/exe >/dev/null 2>&1 && echo \"$p exe ok\" || echo \"$p exe refused\";"
            + " echo \"$p startcode $(cut -d' ' -f26 /proc/$p/stat)\"; done";
    /** The burner's real CPU share over [start + 2 s, start + 8 s], % of one CPU, from its own /proc/PID/stat. */
    static double realPercent;
    /** The burner's CPU ticks (1/100 s) as sampled live every 100 ms over the same span: {wall ms, ticks}. */
    static final List<long[]> liveTicks = new ArrayList<>();

    /** The burner's live CPU share over [from, from + 1 s] (wall ms), % of one CPU, from the samples nearest its ends. */
    static double liveShare(long from) {
        long[] a = nearest(from), b = nearest(from + 1000);
        return b[0] == a[0] ? Double.NaN : (b[1] - a[1]) * 1000.0 / (b[0] - a[0]);
    }

    private static long[] nearest(long millis) {
        return liveTicks.stream().min(java.util.Comparator.comparingLong(t -> Math.abs(t[0] - millis))).orElseThrow();
    }

    @BeforeAll
    static void recordAnIncident() throws Exception {
        dir = Files.createTempDirectory("procsys-history-");
        recording = dir.resolve(NAME);
        agent = startAgent();
        waitForBlocks(1, 30_000);
        oddSleeper = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=0", "--clear-groups", "sleep", "602").start();
        sameSleeper = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "603").start();
        Thread.sleep(300);
        liveAsNobody = asNobody("/proc", oddSleeper.pid(), sameSleeper.pid());
        Process burner = new ProcessBuilder("python3", "-c", BURNER, MARK).start();
        burnerStart = System.currentTimeMillis();
        burnerPid = burner.pid();
        Thread.sleep(2000);
        long ticks0 = cpuTicks(burnerPid), at0 = System.nanoTime();
        while (System.nanoTime() - at0 < TimeUnit.SECONDS.toNanos(6)) { // what it had second by second, for top's second in the past
            liveTicks.add(new long[]{System.currentTimeMillis(), cpuTicks(burnerPid)});
            Thread.sleep(100);
        }
        long ticks1 = cpuTicks(burnerPid), at1 = System.nanoTime();
        realPercent = (ticks1 - ticks0) / 100.0 / ((at1 - at0) / 1e9) * 100;
        burner.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        burnerEnd = System.currentTimeMillis();
        Thread.sleep(1000);
        killedAt = System.currentTimeMillis();
        new ProcessBuilder("kill", "-9", Long.toString(agent.pid())).start().waitFor();
        agent.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(4000);
        int before = new StoreReader(recording).entries(io.procsys.history.DayFiles.dayOf(System.currentTimeMillis())).size();
        restartedAt = System.currentTimeMillis();
        agent = startAgent();
        waitForBlocks(before + 2, 30_000);
        agent.destroy(); // a clean stop stores its open block
        assertTrue(agent.waitFor(20, TimeUnit.SECONDS), "the agent stops on SIGTERM");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Process p : new Process[]{oddSleeper, sameSleeper}) if (p != null) p.destroyForcibly();
        if (agent != null && agent.isAlive()) agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Process startAgent() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        return new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--insecure", "--name", NAME,
                "--warmup", "0", "--record", dir.toString(), "--record-interval", INTERVAL_MS + "ms", "--record-block", BLOCK_MS + "ms")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("agent.log").toFile()).redirectErrorStream(true).start();
    }

    /** Waits until today's index of the recording has {@code blocks} entries. */
    static void waitForBlocks(int blocks, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (Files.isDirectory(recording)
                    && new StoreReader(recording).entries(io.procsys.history.DayFiles.dayOf(System.currentTimeMillis())).size() >= blocks) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the recording has not " + blocks + " blocks after " + millis + " ms: " + agentLog());
    }

    static String agentLog() {
        try {
            return Files.readString(dir.resolve("agent.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** utime + stime of a live process, in ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {@code tool} over the recorded host as at {@code atMillis} (whole seconds: --at @EPOCH). */
    static Commands.Result at(long atMillis, String... tool) {
        List<String> args = new ArrayList<>(List.of("exec", "--at", "@" + atMillis / 1000, "--history", dir.toString(), "--"));
        args.addAll(List.of(tool));
        Commands.Result r = Commands.procsys(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        return r;
    }

    /** The middle of the burner's life, on a whole second. */
    static long middle() {
        return (burnerStart + 3000) / 1000 * 1000 + 1000;
    }

    @Test
    void psInTheMiddleShowsTheBurnerAndEveryParent() {
        Commands.Result ps = at(middle(), "ps", "-eo", "pid,ppid,args");
        List<String[]> rows = new ArrayList<>();
        for (String line : ps.out().strip().split("\n")) {
            if (!line.strip().startsWith("PID")) rows.add(line.strip().split("\\s+", 3));
        }
        assertTrue(rows.size() > 10, ps.all());
        assertTrue(rows.stream().anyMatch(r -> r.length == 3 && r[2].contains(MARK)), "the burner is there: " + ps.out());
        Set<String> pids = new HashSet<>();
        for (String[] r : rows) pids.add(r[0]);
        for (String[] r : rows) {
            assertTrue(r[1].equals("0") || pids.contains(r[1]), "the parent of " + String.join(" ", r) + " is in the view");
        }
        assertTrue(ps.err().contains("shows the cluster as at"), "exec says what time it shows: " + ps.err());
    }

    @Test
    void topInTheMiddleShowsTheBurnerAtTheCpuItHad() {
        String pid = burnerClusterPid();
        long started = System.currentTimeMillis();
        Commands.Result top = at(middle(), "top", "-bn2", "-d1");
        long took = System.currentTimeMillis() - started;
        String second = top.out().substring(top.out().lastIndexOf("top - "));
        String row = second.lines().filter(l -> l.strip().startsWith(pid + " ")).findFirst().orElse(null);
        assertNotNull(row, "the burner (pid " + pid + ") in top's second sample:\n" + second);
        String[] f = row.strip().split("\\s+");
        double cpu = Double.parseDouble(f[8].replace(',', '.'));
        // top's second sample is the last second of the command, which began `took` ms after the time shown (the mount's
        // start first): the burner's live share in the seconds that may be, the one nearest top's figure
        double had = Double.NaN;
        for (long end = took - 300; end >= took - 2500; end -= 100) {
            double share = liveShare(middle() + end - 1000);
            if (Double.isNaN(had) || Math.abs(share - cpu) < Math.abs(had - cpu)) had = share;
        }
        System.out.println("HistoryReplayIT: burner measured live " + String.format("%.1f", realPercent) + " % over 6 s, "
                + String.format("%.1f", had) + " % in that second; top in the past " + cpu + " %\n" + top.out());
        assertTrue(Math.abs(realPercent - 50) <= 10, "the burner ran at its 50 % duty (" + realPercent + " %): else the machine was too busy to tell");
        // within the issue's 10 points: a frame is stamped in the middle of its reading (HostCapture), so the 100-150 ms
        // a loaded machine takes to read it no longer scales the rate between two frames (it gave 64.8 and 67.0 % for 50)
        assertTrue(Math.abs(cpu - had) <= 10, "top shows " + cpu + " %, the burner really had " + had + " % in that second: " + row);
    }

    @Test
    void vmstatRowsAreTheRecordedRates() {
        Commands.Result vmstat = at(middle(), "vmstat", "1", "3");
        List<long[]> rows = new ArrayList<>();
        for (String line : vmstat.out().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 17 && f[0].matches("\\d+")) rows.add(java.util.Arrays.stream(f).mapToLong(Long::parseLong).toArray());
        }
        assertEquals(3, rows.size(), vmstat.out());
        for (long[] r : rows) {
            long cpu = r[12] + r[13] + r[14] + r[15] + r[16];
            assertTrue(cpu >= 97 && cpu <= 103, "us+sy+id+wa+st near 100: " + vmstat.out());
            assertTrue(r[3] > 0, "free memory: " + vmstat.out());
        }
        for (long[] r : rows.subList(1, 3)) { // rates over 1 s of the past, interpolated: never a zero row
            assertTrue(r[10] > 0 && r[11] > 0, "interrupts and context switches: " + vmstat.out());
            assertTrue(r[12] + r[13] >= 10, "the burner's share of 2 CPUs shows in us+sy: " + vmstat.out());
        }
    }

    @Test
    void aKilledAgentLosesAtMostItsOpenBlockAndTheGapIsAbsent() throws IOException {
        long lastBeforeKill = 0, firstAfter = Long.MAX_VALUE;
        StoreReader reader = new StoreReader(recording);
        for (List<Segment.Block> seg : reader.segments(0, Long.MAX_VALUE / 2, 1 << 28).segments()) {
            for (Frame f : Segment.decode(seg).frames()) {
                if (f.timeMillis() <= killedAt) lastBeforeKill = Math.max(lastBeforeKill, f.timeMillis());
                else firstAfter = Math.min(firstAfter, f.timeMillis());
            }
        }
        long lost = killedAt - lastBeforeKill;
        System.out.println("HistoryReplayIT: SIGKILL lost the last " + lost + " ms (a block is " + BLOCK_MS + " ms)");
        assertTrue(lost <= BLOCK_MS + INTERVAL_MS + 500, "lost " + lost + " ms");
        assertTrue(firstAfter >= restartedAt, "recording resumed after the restart");
        long gap = (lastBeforeKill + 2 * INTERVAL_MS + 1000) / 1000 * 1000 + 1000;
        assertTrue(gap < firstAfter - 1000, "a second of the gap to look at");
        Commands.Result inGap = at(gap, "ls", "/proc/hosts");
        assertFalse(inGap.out().contains(NAME), "absent in the gap: " + inGap.all());
        Commands.Result after = at((firstAfter + 2000) / 1000 * 1000, "ls", "/proc/hosts");
        assertTrue(after.out().contains(NAME), "present again after the restart: " + after.all());
    }

    /** The script that reads, as nobody, each pid's exe link and stat's startcode under {@code proc} (in a shell: /proc or a mount). */
    static String asNobody(String proc, long... pids) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                NOBODY_READS.replace("/proc/", proc + "/"), "sh"));
        for (long pid : pids) command.add(Long.toString(pid));
        Commands.Result r = Commands.run(command, 30);
        return r.out();
    }

    @Test
    void anotherUserReadsWhatProcfsGaveIt() {
        assertTrue(liveAsNobody.contains(oddSleeper.pid() + " exe refused") && liveAsNobody.contains(sameSleeper.pid() + " exe ok"),
                "the live rule as this kernel applies it: " + liveAsNobody);
        List<String> args = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                NOBODY_READS.replace("/proc/", "/proc/hosts/" + NAME + "/"), "sh", Long.toString(oddSleeper.pid()), Long.toString(sameSleeper.pid())));
        List<String> exec = new ArrayList<>(List.of("exec", "--at", "@" + middle() / 1000, "--history", dir.toString(), "-o", "allow_other", "--"));
        exec.addAll(args);
        Commands.Result past = Commands.procsys(exec.toArray(String[]::new));
        assertEquals(liveAsNobody, past.out(), "nobody reads the recorded files as it read the live ones: " + past.all());
    }

    @Test
    void btimeUptimeAndStartTimesAgreeInThePast() {
        Commands.Result r = at(middle(), "sh", "-c", "cat /proc/.past /proc/uptime; grep '^btime' /proc/stat; ps -eo lstart,args");
        String[] lines = r.out().split("\n");
        long shownMillis = Long.parseLong(lines[0].split(" ")[0]);
        double uptime = Double.parseDouble(lines[1].split(" ")[0]);
        long btime = Long.parseLong(lines[2].split(" ")[1]);
        assertTrue(Math.abs(btime + uptime - shownMillis / 1000.0) <= 1.5, "btime + uptime is the time shown: " + r.out());
        String burner = r.out().lines().filter(l -> l.contains(MARK) && !l.contains("lstart")).findFirst()
                .orElseThrow(() -> new AssertionError("no burner: " + r.out()));
        java.time.LocalDateTime started = java.time.LocalDateTime.parse(burner.substring(0, 24).replaceAll("\\s+", " "),
                java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", java.util.Locale.ENGLISH));
        long startedMillis = started.atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
        assertTrue(Math.abs(startedMillis - burnerStart) <= 1500, "ps START is when the burner started (" + burnerStart + "): " + burner);
    }

    /** The burner's pid in the view (a cluster pid), from ps in the middle. */
    static String burnerClusterPid() {
        Commands.Result ps = at(middle(), "ps", "-eo", "pid,args");
        return ps.out().lines().filter(l -> l.contains(MARK) && !l.contains(" ps ")).map(l -> l.strip().split("\\s+")[0])
                .findFirst().orElseThrow(() -> new AssertionError("no burner in " + ps.out()));
    }
}
