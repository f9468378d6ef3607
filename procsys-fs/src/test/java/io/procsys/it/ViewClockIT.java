package io.procsys.it;

import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 37's measurement: two agents over proc trees made for the purpose (h1 booted two days
 * before this host, with processes started 1 h and 40 h ago; h2 booted 2 h ago with its wall
 * clock 3 h ahead, with a process started 10 min ago), combined by a mount with this host; `ps -e
 * -o pid,etimes,lstart,args` through the view, this host's own `sleep` included. Each process's
 * ELAPSED and START through the view are its real ones (as this host's ps, or the age the tree was
 * made with, gives them) within 2 s; a host's own files under hosts/ stay as it wrote them.
 */
class ViewClockIT {
    static final long DAY = 86_400, HOUR = 3600;
    /** Each captured process: its command line → its age when the trees were made, s. */
    static final Map<String, Long> AGES = new LinkedHashMap<>();
    static final List<Agent> agents = new ArrayList<>();
    static final List<ProcTree> trees = new ArrayList<>();
    static Path dir, mount;
    static MountService service, topService;
    static Cluster cluster, top;
    /** A tree node (procsys node --export combined, this host's /proc its own) over h1, and a mount over that node. */
    static Process node;
    static Path nodeMount, topMount;
    static Process sleep;
    static long madeAt, madeAtMillis, h2Btime;
    /** Each host's uptime when the trees were made, s; a ticker moves them on as a live host's. */
    static final Map<String, Long> UPTIMES = new LinkedHashMap<>();
    static final java.util.concurrent.ScheduledExecutorService ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        sleep = Commands.sleeper();
        dir = Files.createTempDirectory("procsys-clock-");
        long[] here = uptimeAndBtime();
        madeAtMillis = System.currentTimeMillis();
        madeAt = madeAtMillis / 1000;
        long h1Uptime = here[0] + 2 * DAY;
        tree("h1", h1Uptime, here[1] - 2 * DAY, new Captured(100, "h1-started-1h", HOUR), new Captured(101, "h1-started-40h", 40 * HOUR));
        h2Btime = madeAt - 2 * HOUR + 3 * HOUR; // its wall clock is 3 h ahead
        tree("h2", 2 * HOUR, h2Btime, new Captured(200, "h2-started-10min", 600));
        ticker.scheduleAtFixedRate(ViewClockIT::tick, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        List<Cluster.PeerAddress> peers = new ArrayList<>();
        for (String name : List.of("h1", "h2")) {
            ProcTree tree = ProcTree.open(dir.resolve(name));
            trees.add(tree);
            Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), name, new ExportedTree(tree), null);
            agents.add(agent);
            peers.add(new Cluster.PeerAddress(name, agent.address()));
        }
        cluster = new Cluster("here", peers, null, Duration.ofMillis(2000));
        mount = Files.createTempDirectory("procsys-clock-mount-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(8);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 30_000, p.name() + " up");
        startTree(agents.getFirst().address().getPort());
    }

    /** rack: a tree node over h1 whose own processes are this host's; top: a mount over rack. */
    static void startTree(int h1Port) throws Exception {
        int port = ClusterMountIT.freePortBelowEphemeralRange();
        nodeMount = Files.createTempDirectory("procsys-clock-node-");
        node = new ProcessBuilder(Commands.launcher().toString(), "node", "--export", "combined", "--insecure", "--name", "rack",
                "--listen", "127.0.0.1:" + port, "--deadline-ms", "2000", "--peer", "h1=127.0.0.1:" + h1Port, nodeMount.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        top = new Cluster("top", List.of(new Cluster.PeerAddress("rack", new InetSocketAddress("127.0.0.1", port))), null, Duration.ofMillis(6000));
        topMount = Files.createTempDirectory("procsys-clock-top-");
        topService = MountService.mount(Path.of("/proc"), topMount, List.of(), top);
        topService.serveInBackground(8);
        ClusterMountIT.waitFor(() -> top.peers().getFirst().status().state() == Peer.State.UP, 60_000, "rack up");
    }

    @AfterAll
    static void stop() throws Exception {
        ticker.shutdownNow();
        if (sleep != null) sleep.destroyForcibly();
        if (service != null) {
            assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
            service.close();
        }
        if (topService != null) topService.close();
        if (node != null) {
            node.destroy(); // it unmounts on SIGTERM
            if (!node.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) node.destroyForcibly();
        }
        for (Path p : new Path[]{topMount, nodeMount}) if (p != null) Files.deleteIfExists(p);
        for (Agent a : agents) a.close();
        trees.forEach(ProcTree::close);
        if (mount != null) Files.deleteIfExists(mount);
        if (dir != null) Commands.run("rm", "-rf", dir.toString());
    }

    /** This host's uptime (whole seconds) and btime. */
    static long[] uptimeAndBtime() throws IOException {
        long uptime = (long) Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        long btime = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6))).findFirst().orElseThrow();
        return new long[]{uptime, btime};
    }

    /** Each tree's uptime as a live host's: what it was made with, plus the time since (written whole: a reader never sees half). */
    static void tick() {
        long since = System.currentTimeMillis() - madeAtMillis;
        try {
            for (var e : UPTIMES.entrySet()) {
                long hundredths = e.getValue() * 100 + since / 10;
                Path tmp = dir.resolve(e.getKey() + ".uptime");
                Files.writeString(tmp, String.format(Locale.ROOT, "%d.%02d %d.00%n", hundredths / 100, hundredths % 100, e.getValue()));
                Files.move(tmp, dir.resolve(e.getKey()).resolve("uptime"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A host's proc tree: this host's global files with its own uptime and btime, and processes
     * (pid, command line, age in s), each with this host's sleep's files, its pid, name and start time changed.
     */
    static void tree(String name, long uptime, long btime, Captured... processes) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        Files.writeString(root.resolve("uptime"), uptime + ".00 " + uptime + ".00\n");
        UPTIMES.put(name, uptime);
        StringBuilder stat = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) stat.append(line.startsWith("btime ") ? "btime " + btime : line).append('\n');
        Files.writeString(root.resolve("stat"), stat);
        for (String f : List.of("meminfo", "loadavg", "cpuinfo")) Files.copy(Path.of("/proc", f), root.resolve(f));
        Path model = Path.of("/proc", Long.toString(sleep.pid()));
        for (Captured c : processes) {
            int pid = c.pid();
            String args = c.args();
            AGES.put(args, c.age());
            Path p = Files.createDirectories(root.resolve(Integer.toString(pid)));
            String[] f = Files.readString(model.resolve("stat")).strip().split(" ");
            f[0] = Integer.toString(pid);
            f[1] = "(" + args.substring(0, Math.min(15, args.length())) + ")";
            f[3] = "1";
            f[21] = Long.toString((uptime - c.age()) * 100); // starttime: ticks since the host's boot
            Files.writeString(p.resolve("stat"), String.join(" ", f) + "\n");
            Files.writeString(p.resolve("status"), Files.readString(model.resolve("status"))
                    .replaceAll("(?m)^(Pid|Tgid|NSpid|NStgid):\\t\\d+$", "$1:\t" + pid).replaceAll("(?m)^PPid:\\t\\d+$", "PPid:\t1"));
            Files.writeString(p.resolve("cmdline"), args + "\0");
            Files.writeString(p.resolve("comm"), args.substring(0, Math.min(15, args.length())) + "\n");
            Files.copy(model.resolve("statm"), p.resolve("statm"));
        }
    }

    /** A process of a made tree: its pid, command line and age when the tree was made (s). */
    record Captured(int pid, String args, long age) {}

    /** One line of ps -o pid,etimes,lstart,args. */
    record Ps(long pid, long etimes, long lstart, String args) {}

    static final DateTimeFormatter LSTART = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT);

    /** ps's lines, run with {@code proc} bound over /proc (null: this host's own /proc), in UTC and the C locale. */
    static List<Ps> ps(Path proc, String... select) {
        List<String> command = new ArrayList<>(List.of("env", "TZ=UTC", "LC_ALL=C", "ps", "-o", "pid,etimes,lstart,args"));
        command.addAll(List.of(select));
        if (proc != null) {
            command = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind '" + proc + "' /proc && exec " + String.join(" ", command));
        }
        Commands.Result r = Commands.run(command, 60);
        assertEquals(0, r.exit(), r.all());
        List<Ps> out = new ArrayList<>();
        for (String line : r.out().lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+", 8);
            String lstart = String.join(" ", f[2], f[3], f[4], f[5], f[6]);
            out.add(new Ps(Long.parseLong(f[0]), Long.parseLong(f[1]), LocalDateTime.parse(lstart, LSTART).toEpochSecond(ZoneOffset.UTC),
                    f.length > 7 ? f[7] : ""));
        }
        return out;
    }

    /**
     * What process {@code args} of made host {@code host} shows in the host's own ps (ps cannot run
     * over a made tree: it looks itself up there): procps's ELAPSED = uptime − starttime / HZ,
     * START = btime + starttime / HZ, from the tree's files now.
     */
    static Ps ownPs(String host, String args) throws IOException {
        Path root = dir.resolve(host);
        long uptime = (long) Double.parseDouble(Files.readString(root.resolve("uptime")).split(" ")[0]);
        long btime = Files.readAllLines(root.resolve("stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6))).findFirst().orElseThrow();
        for (Path p : Files.newDirectoryStream(root, "[0-9]*")) {
            if (!Files.readString(p.resolve("cmdline")).equals(args + "\0")) continue;
            long start = startTime(Files.readString(p.resolve("stat"))) / 100;
            return new Ps(Long.parseLong(p.getFileName().toString()), uptime - start, btime + start, args);
        }
        throw new AssertionError(args + " not in " + root);
    }

    static Ps byArgs(List<Ps> lines, String args) {
        return lines.stream().filter(p -> p.args().equals(args)).findFirst().orElseThrow(() -> new AssertionError(args + " not in " + lines));
    }

    @Test
    void elapsedAndStartOfEveryProcessAreRightThroughTheView() throws IOException {
        List<Ps> view = ps(mount, "-e");
        long now = System.currentTimeMillis() / 1000;
        Ps real = ps(null, "-p", Long.toString(sleep.pid())).getFirst();
        Ps mine = view.stream().filter(p -> p.pid() == sleep.pid()).findFirst().orElseThrow();
        System.out.printf("%-18s %-9s %9s %-26s %9s %-26s%n", "process", "host", "etimes", "lstart (host's own ps)", "etimes", "lstart (through the view)");
        System.out.printf("%-18s %-9s %9d %-26s %9d %-26s%n", "sleep 600", "here", real.etimes(), utc(real.lstart()), mine.etimes(), utc(mine.lstart()));
        assertEquals(real.etimes(), mine.etimes(), 2, "this host's own sleep: ELAPSED as this host's ps");
        assertEquals(real.lstart(), mine.lstart(), 2, "this host's own sleep: START as this host's ps");
        for (var e : AGES.entrySet()) {
            Ps p = byArgs(view, e.getKey());
            long age = e.getValue() + (now - madeAt);
            String host = e.getKey().substring(0, 2);
            Ps own = ownPs(host, e.getKey());
            System.out.printf("%-18s %-9s %9d %-26s %9d %-26s%n", e.getKey(), host, own.etimes(), utc(own.lstart()), p.etimes(), utc(p.lstart()));
            assertEquals(age, p.etimes(), 2, e.getKey() + ": ELAPSED");
            assertEquals(own.etimes(), p.etimes(), 2, e.getKey() + ": ELAPSED as the host's own ps");
            assertEquals(madeAt - e.getValue(), p.lstart(), 2, e.getKey() + ": START, in this host's clock");
        }
        assertEquals(3 * HOUR, ownPs("h2", "h2-started-10min").lstart() - byArgs(view, "h2-started-10min").lstart(), 2,
                "h2's own ps puts its START 3 h ahead: its clock is");
    }

    @Test
    void aTreeNodePassesItsStartTimesUpOnItsOwnClock() {
        // rack's view booted with h1, two days before this host: its own processes (this host's)
        // go up rebased onto that boot, in its table as in its files, and its uptime counts from it
        List<Ps> view = ps(topMount, "-e");
        Ps real = ps(null, "-p", Long.toString(sleep.pid())).getFirst();
        Ps viaRack = view.stream().filter(p -> {
            var at = ClusterPids.where(top, p.pid());
            return at != null && at.host().equals("rack") && at.localPid() == sleep.pid();
        }).findFirst().orElseThrow(() -> new AssertionError("rack's copy of this host's sleep: " + view));
        assertEquals(real.lstart(), viaRack.lstart(), 2, "this host's sleep as rack's own process: START");
        assertEquals(real.etimes(), viaRack.etimes(), 2, "ELAPSED");
        long now = System.currentTimeMillis() / 1000;
        Ps h1 = byArgs(view, "h1-started-40h");
        assertEquals(40 * HOUR + (now - madeAt), h1.etimes(), 2, "h1 below rack: ELAPSED");
        assertEquals(madeAt - 40 * HOUR, h1.lstart(), 2, "START");
    }

    static String utc(long epochSecond) {
        return LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC).format(LSTART);
    }

    @Test
    void btimePlusUptimeIsNowAndTheViewIsUpSinceItsEarliestBoot() throws IOException {
        long uptime = (long) Double.parseDouble(Files.readString(mount.resolve("uptime")).split(" ")[0]);
        long btime = Files.readAllLines(mount.resolve("stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6))).findFirst().orElseThrow();
        long now = System.currentTimeMillis() / 1000;
        assertEquals(now, btime + uptime, 2, "btime + uptime = now");
        long[] here = uptimeAndBtime();
        assertEquals(here[1] - 2 * DAY, btime, 2, "h1's boot, two days before this host's");
    }

    @Test
    void aHostsOwnFilesStayAsItWroteThem() throws IOException {
        for (String f : List.of("stat", "200/stat")) {
            assertEquals(Files.readString(dir.resolve("h2").resolve(f)), Files.readString(mount.resolve("hosts/h2").resolve(f)), "hosts/h2/" + f);
        }
        assertEquals(2 * HOUR + (System.currentTimeMillis() - madeAtMillis) / 1000.0,
                Double.parseDouble(Files.readString(mount.resolve("hosts/h2/uptime")).split(" ")[0]), 1.5, "hosts/h2/uptime: h2's own");
        String raw = Files.readString(Path.of("/proc", Long.toString(sleep.pid()), "stat"));
        assertEquals(raw, Files.readString(mount.resolve("hosts/here").resolve(sleep.pid() + "/stat")), "hosts/here/PID/stat: the kernel's");
        String top = Files.readString(mount.resolve(sleep.pid() + "/stat"));
        assertEquals(startTime(raw) + 2 * DAY * 100, startTime(top), 100, "at the top, rebased onto h1's boot, two days earlier");
    }

    static long startTime(String stat) {
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }

    @Test
    void theSkewOfH2sClockIsShown() throws IOException {
        Files.readString(mount.resolve("uptime")); // the hosts are measured for the view's clock
        var clock = cluster.clock();
        var h2 = clock.hosts().stream().filter(h -> h.name().equals("h2")).findFirst().orElseThrow();
        assertEquals(3 * HOUR, h2.skewSeconds(), 2, "h2's wall clock is 3 h ahead");
        String text = io.procsys.daemon.StatusReport.render(new io.procsys.daemon.StatusEndpoint.Status(mount.toString(), "/proc",
                List.of(), null, null, clock, List.of(), List.of()));
        assertTrue(text.lines().anyMatch(l -> l.matches("h2 .* \\+10(79|80)\\d\\.\\d .*")), text);
        String json = new String(io.procsys.daemon.StatusJson.write(new io.procsys.daemon.StatusEndpoint.Status(mount.toString(), "/proc",
                List.of(), null, null, clock, List.of(), List.of())));
        assertTrue(json.matches("(?s).*\"name\" : \"h2\",.*\"skewSeconds\" : 10(79|80)\\d\\.\\d+,.*"), json);
    }
}
