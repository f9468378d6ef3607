package io.procsys.it;

import io.procsys.daemon.PastMount;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.history.PastClock;
import io.procsys.metrics.Metrics;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 40's ground truth: a synthetic load (truth-load.py: burners at 25/50/100 %, fork churn at
 * 1/10/100 a second, a memory stepper, a disk writer) runs in a pid namespace of its own while two
 * agents record it (its /proc, through /proc/INIT/root/proc) every 1 s and every 5 s, and a logger
 * in the namespace saves the real ps, pstree, free and top every {@code EVERY} s. Then each
 * recording is mounted in the past, and at each logged time T the tools over the view are
 * compared with what was logged ({@link TruthChecks}: "within one frame", defined there), and
 * vmstat, top and pidstat print the recorded rates.
 * <p>
 * -Dhistory.truth.seconds sets how long the load is recorded (the 10 minutes is 600;
 * the default keeps CI short), -Dhistory.truth.every how often the logger logs.
 */
class HistoryGroundTruthIT {
    static final long SECONDS = Long.getLong("history.truth.seconds", 70);
    static final int EVERY = Integer.getInteger("history.truth.every", 10);
    /** Shifts every replayed time (ms): only to show that the comparisons catch a wrong replay. */
    static final long SHIFT = Long.getLong("history.truth.shift", 0);
    static final String HOST = "ns";

    static Path dir;
    static Process load;
    static final List<Process> agents = new ArrayList<>();
    /** The two recordings, each mounted in the past. */
    static Replay one, five;
    /** The logged moments: T (epoch s) → tool → its run. */
    static final Map<Long, Map<String, TruthLog.Run>> logged = new TreeMap<>();

    /** A recording at {@code intervalMillis}, its counters, and a view of its past (its clock paused or running). */
    record Replay(String name, long intervalMillis, RecordedCounters counters, PastMount mount) {
        Path proc() {
            return mount.service().mountpoint().resolve("hosts").resolve(HOST);
        }

        PastClock clock() {
            return mount.view().clock();
        }

        /**
         * The view stopped at {@code millis} (plus the shift of a wrong-replay check), its frames
         * there loaded: a view fetches a recording in 10-min windows, and one that is still coming
         * shows the host absent (the 600-s run met that far from where the mount began).
         */
        void showStill(long millis) {
            clock().pause();
            clock().seek(millis + SHIFT);
            mount.view().load(java.time.Duration.ofSeconds(20));
        }

        /** The view running on from {@code millis}, its frames there loaded first. */
        void showRunning(long millis) {
            showStill(millis);
            clock().resume();
        }

        /**
         * {@code tool} over this view's host (hosts/ns: its own pids, which the log has) as /proc: a
         * tmpfs there links to each of its entries, with self, thread-self and the tool's own pid
         * from a procfs of this host (procps looks itself up, as the top of a view lets it).
         */
        Commands.Result run(String... tool) {
            List<String> command = new ArrayList<>(List.of("env", "LC_ALL=C", "COLUMNS=200", "unshare", "--mount", "--propagation", "private",
                    "--", "/bin/sh", "-c", AS_PROC, "truth", proc().toString(), dir.resolve("realproc").toString()));
            command.addAll(List.of(tool));
            Commands.Result r = Commands.run(command, 60);
            assertEquals(0, r.exit(), String.join(" ", tool) + ": " + r.all());
            return r;
        }
    }

    static final String AS_PROC = "v=$1; r=$2; shift 2; mount -t proc proc \"$r\" && mount -t tmpfs truth /proc || exit 125;"
            + " for e in \"$v\"/*; do ln -s \"$e\" \"/proc/${e##*/}\"; done; ln -s \"$r/self\" /proc/self; ln -s \"$r/thread-self\" /proc/thread-self;"
            + " [ -e \"/proc/$$\" ] || ln -s \"$r/$$\" \"/proc/$$\"; exec \"$@\"";

    @BeforeAll
    static void recordTheLoad() throws Exception {
        dir = Files.createTempDirectory("procsys-truth-");
        Path out = Files.createDirectories(dir.resolve("load"));
        Files.createDirectories(dir.resolve("realproc"));
        load = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/usr/bin/python3",
                Path.of("src/test/resources/history/truth-load.py").toAbsolutePath().toString(), out.toString(), Long.toString(SECONDS + 15),
                Integer.toString(EVERY)).redirectErrorStream(true).redirectOutput(dir.resolve("load.log").toFile()).start();
        ClusterMountIT.waitFor(() -> Files.exists(out.resolve("ready")), 20_000, "the load running");
        long init = load.children().findFirst().orElseThrow().pid();
        Path procRoot = Path.of("/proc", Long.toString(init), "root", "proc");
        Process a1 = startAgent(procRoot, "rec1", "1s"), a5 = startAgent(procRoot, "rec5", "5s");
        for (String rec : List.of("rec1", "rec5")) {
            ClusterMountIT.waitFor(() -> read(dir.resolve(rec + ".log")).contains("recording " + HOST), 30_000, rec + " recording");
        }
        long started = System.currentTimeMillis();
        Thread.sleep(SECONDS * 1000);
        for (Process a : List.of(a1, a5)) a.destroy(); // a clean stop stores the open block
        for (Process a : List.of(a1, a5)) assertTrue(a.waitFor(30, TimeUnit.SECONDS), "an agent stops on SIGTERM");
        Files.createFile(out.resolve("stop"));
        assertTrue(load.waitFor(30, TimeUnit.SECONDS), "the load ends");
        try (var logs = Files.list(out.resolve("log"))) {
            for (Path p : logs.toList()) {
                long t = Long.parseLong(p.getFileName().toString());
                if (t * 1000 >= started) logged.put(t, TruthLog.runs(Files.readString(p)));
            }
        }
        one = replay("rec1", 1000);
        five = replay("rec5", 5000);
    }

    static Process startAgent(Path procRoot, String name, String interval) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process p = new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--insecure", "--name", HOST,
                "--warmup", "0", "--proc-root", procRoot.toString(), "--record", dir.resolve(name).toString(), "--record-interval", interval)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(name + ".log").toFile()).redirectErrorStream(true).start();
        agents.add(p);
        return p;
    }

    static Replay replay(String name, long interval) throws IOException {
        RecordedCounters counters = new RecordedCounters(dir.resolve(name).resolve(HOST));
        Path mountpoint = Files.createDirectories(dir.resolve("m-" + name));
        PastMount mount = PastMount.start(mountpoint, List.of(), counters.first() + interval, List.of(new PastMount.HostSource(HOST, null,
                dir.resolve(name).resolve(HOST))), null, "truth", Metrics.OFF, new UserLimits(UserLimits.Limits.DEFAULT));
        mount.service().serveInBackground(4);
        return new Replay(name, interval, counters, mount);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Replay r : new Replay[]{one, five}) if (r != null) r.mount().close();
        for (Process a : agents) stop(a);
        if (load != null) stop(load);
        if (dir != null) Commands.run("rm", "-rf", dir.toString());
    }

    /** Stops {@code p} and everything it started (unshare --fork ignores SIGTERM while it waits; --kill-child ends the namespace with it). */
    static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> below = p.descendants().toList();
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        below.forEach(ProcessHandle::destroyForcibly);
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The logged moments a replay can be checked at: with frames an interval before and two after. */
    static List<Long> checkable(Replay r) {
        List<Long> ts = logged.keySet().stream().filter(t -> t * 1000 - r.intervalMillis() >= r.counters().first()
                && t * 1000 + 2 * r.intervalMillis() + 2000 <= r.counters().last()).toList();
        assertTrue(ts.size() >= Math.max(2, SECONDS / EVERY / 2), r.name() + ": too few logged moments within the recording: " + ts + " of " + logged.keySet());
        return ts;
    }

    @Test
    void psPstreeAndFreeAreTheLoggedOnesWithinOneFrame() {
        List<String> problems = new ArrayList<>();
        int compared = 0;
        for (Replay r : List.of(one, five)) {
            for (long t : checkable(r)) {
                problems.addAll(new TruthChecks(r, logged.get(t)).all());
                compared++;
            }
        }
        System.out.println("HistoryGroundTruthIT: ps, pstree, free compared at " + compared + " moments; problems: " + problems.size());
        assertEquals(List.of(), problems, "the past differs from the logged truth by more than a frame");
    }

    @Test
    void perCpuLinesSumToTheTotalAtEveryMoment() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Replay r : List.of(one, five)) {
            for (long t : checkable(r)) {
                for (long at : List.of(t * 1000, t * 1000 + r.intervalMillis() / 3)) { // on a frame's second and between frames
                    r.showStill(at);
                    String stat = Files.readString(r.proc().resolve("stat"));
                    long[] total = new long[10], sum = new long[10];
                    int cpus = 0;
                    for (String line : stat.split("\n")) {
                        String[] w = line.split("\\s+");
                        if (!w[0].startsWith("cpu")) continue;
                        long[] into = w[0].equals("cpu") ? total : sum;
                        if (!w[0].equals("cpu")) cpus++;
                        for (int i = 1; i < w.length && i <= 10; i++) into[i - 1] += Long.parseLong(w[i]);
                    }
                    if (cpus == 0 || !perCpuSum(total, sum, cpus)) problems.add(r.name() + " at " + at + ": per-CPU sums " + java.util.Arrays.toString(sum)
                            + " against the total " + java.util.Arrays.toString(total));
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * Σ per-CPU = total as the kernel gives it: each CPU's ticks are rounded down from nanoseconds
     * on their own, so live the sum is up to CPUs − 1 below the total (seen here: 0 or −1 on 2
     * CPUs); interpolating each line and flooring it loses up to CPUs − 1 more.
     */
    static boolean perCpuSum(long[] total, long[] sum, int cpus) {
        for (int i = 0; i < total.length; i++) if (total[i] - sum[i] < 0 || total[i] - sum[i] > 2L * (cpus - 1)) return false;
        return true;
    }

    @Test
    void vmstatRowsAreTheRecordedAverage() throws Exception {
        List<String> problems = new ArrayList<>();
        List<CompletableFuture<List<String>>> runs = new ArrayList<>();
        for (Replay r : List.of(one, five)) runs.add(CompletableFuture.supplyAsync(() -> TruthRates.vmstat(r, middle(r))));
        for (var run : runs) problems.addAll(run.get(120, TimeUnit.SECONDS));
        assertEquals(List.of(), problems, "vmstat 1 10 in the past against the recorded rates");
    }

    @Test
    void topAndPidstatShowTheHalfBurnerAtHalfACore() throws Exception {
        int burner = pidOf("burn50");
        TruthRates.requireHalfBurner(logged, burner);
        List<CompletableFuture<List<String>>> runs = new ArrayList<>();
        for (Replay r : List.of(one, five)) { // the two views at once; on each, top then pidstat (they move its clock)
            runs.add(CompletableFuture.supplyAsync(() -> {
                List<String> problems = new ArrayList<>(TruthRates.top(r, middle(r), burner));
                problems.addAll(TruthRates.pidstat(r, middle(r) + 10_000, burner));
                return problems;
            }));
        }
        List<String> problems = new ArrayList<>();
        for (var run : runs) problems.addAll(run.get(120, TimeUnit.SECONDS));
        assertEquals(List.of(), problems);
    }

    /** A whole second in the middle of a recording, with 20 s recorded after it. */
    static long middle(Replay r) {
        long mid = (r.counters().first() + r.counters().last()) / 2 / 1000 * 1000;
        assertTrue(mid + 20_000 < r.counters().last(), r.name() + " is too short to sample");
        return mid;
    }

    /** The namespace's pid of the process named {@code comm} in the first logged ps. */
    static int pidOf(String comm) {
        Map<Integer, TruthLog.PsRow> ps = TruthLog.ps(logged.values().iterator().next().get("ps").out());
        return ps.values().stream().filter(p -> p.comm().equals(comm)).findFirst().orElseThrow(() -> new AssertionError("no " + comm + " in " + ps)).pid();
    }
}
