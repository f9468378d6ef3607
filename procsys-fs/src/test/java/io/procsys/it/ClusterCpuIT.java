package io.procsys.it;

import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPU-aware clients on a cluster view of this host and three agents with 8, 2 and 4 CPUs: every
 * one counts the CPUs of the combined stat, through the /sys CPU view `procsys exec` puts in
 * place (glibc's sysconf, Python, lscpu, mpstat, top, htop), and node_exporter's collectors work
 * on the mount as on /proc.
 */
class ClusterCpuIT {
    static final Path FIXTURES = Path.of("src/test/data/hosts").toAbsolutePath();
    static final List<Agent> agents = new ArrayList<>();
    static final List<Path> trees = new ArrayList<>();
    static MountService service;
    static Path mount;
    static int cpus;

    /** A copy of local-b with 4 CPUs: its two cpuN lines and processor blocks twice. */
    static Path fourCpuHost() throws IOException {
        Path copy = Files.createTempDirectory("procsys-4cpu-");
        try (Stream<Path> files = Files.list(FIXTURES.resolve("local-b"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        List<String> stat = Files.readAllLines(copy.resolve("stat"));
        List<String> out = new ArrayList<>();
        for (String line : stat) {
            out.add(line);
            if (line.startsWith("cpu1 ")) {
                out.add("cpu2 " + line.substring(5));
                out.add("cpu3 " + line.substring(5));
            }
        }
        Files.write(copy.resolve("stat"), out);
        String cpuinfo = Files.readString(copy.resolve("cpuinfo")).strip();
        String second = cpuinfo.replace("processor\t: 0", "processor\t: 2").replace("processor\t: 1", "processor\t: 3")
                .replace("core id\t\t: 0", "core id\t\t: 2").replace("core id\t\t: 1", "core id\t\t: 3");
        Files.writeString(copy.resolve("cpuinfo"), cpuinfo + "\n\n" + second + "\n\n");
        trees.add(copy);
        return copy;
    }

    @BeforeAll
    static void start() throws Exception {
        List<Path> roots = List.of(FIXTURES.resolve("prometheus-procfs"), FIXTURES.resolve("local-a"), fourCpuHost());
        List<Cluster.PeerAddress> peers = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            Agent a = ClusterMountIT.agent("h" + (i + 1), roots.get(i), 0);
            agents.add(a);
            peers.add(new Cluster.PeerAddress("h" + (i + 1), a.address()));
        }
        Cluster cluster = new Cluster("here", peers, null, Duration.ofMillis(2000));
        mount = Files.createTempDirectory("procsys-cpus-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(8);
        ClusterMountIT.superviseExecs(service);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 5_000, p.name() + " up");
        cpus = (int) Files.readAllLines(mount.resolve("stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        int local = (int) Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        assertEquals(local + 8 + 2 + 4, cpus, "the combined stat");
        assertEquals(cpus, Files.readAllLines(mount.resolve("cpuinfo")).stream().filter(l -> l.startsWith("processor")).count());
    }

    @AfterAll
    static void stop() throws IOException {
        assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
        service.close();
        agents.forEach(Agent::close);
        Files.deleteIfExists(mount);
        for (Path t : trees) deleteTree(t);
    }

    /** Deletes a directory and everything in it. */
    static void deleteTree(Path tree) throws IOException {
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static Commands.Result exec(String... tool) {
        Commands.Result r = Commands.throughMirror(mount, tool);
        assertEquals(0, r.exit(), String.join(" ", tool) + ": " + r.all());
        return r;
    }

    @Test
    void glibcAndPythonCountTheClustersCpus() {
        assertEquals(Integer.toString(cpus), exec("getconf", "_NPROCESSORS_ONLN").out().strip());
        assertEquals(Integer.toString(cpus), exec("getconf", "_NPROCESSORS_CONF").out().strip());
        assertEquals(Integer.toString(cpus), exec("/usr/bin/python3", "-c", "import os; print(os.cpu_count())").out().strip());
        assertEquals(Integer.toString(cpus), exec("nproc", "--all").out().strip());
    }

    @Test
    void lscpuSeesEveryCpuAndEveryHostsPackage() {
        String out = exec("lscpu").out();
        assertTrue(out.contains("CPU(s):") && field(out, "^CPU\\(s\\):\\s+(\\d+)$").equals(Integer.toString(cpus)), out);
        assertEquals("0-" + (cpus - 1), field(out, "^On-line CPU\\(s\\) list:\\s+(\\S+)$"), out);
    }

    static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "(none)";
    }

    @Test
    void mpstatHasALineForEveryCpu() {
        String out = exec("mpstat", "-P", "ALL", "1", "1").out();
        assertTrue(out.contains("(" + cpus + " CPU)"), out);
        Set<String> numbers = out.lines().filter(l -> l.startsWith("Average:")).map(l -> l.split("\\s+")[1])
                .filter(f -> f.matches("\\d+")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(cpus, numbers.size(), out);
    }

    @Test
    void iostatNamesEveryHostsDevices() throws IOException {
        String out = exec("iostat", "-d").out();
        assertTrue(out.contains("(" + cpus + " CPU)"), out);
        Set<String> listed = out.lines().skip(3).filter(l -> !l.isBlank()).map(l -> l.split("\\s+")[0]).collect(Collectors.toSet());
        for (String host : List.of("h1-", "h2-", "h3-")) {
            assertTrue(listed.stream().anyMatch(d -> d.startsWith(host)), host + " devices in " + listed);
        }
    }

    @Test
    void topShowsALineForEveryCpu() {
        String out = exec("env", "COLUMNS=200", "top", "-1", "-bn1", "-w", "200").out();
        long lines = Pattern.compile("%Cpu\\d+").matcher(out).results().count();
        assertEquals(cpus, lines, out);
    }

    @Test
    void htopDrawsAMeterForEveryCpu() throws Exception {
        String session = "procsys-htop-" + ProcessHandle.current().pid();
        String launcher = Commands.launcher().toString();
        Commands.Result started = Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60",
                launcher + " exec --mount " + mount + " -- htop"), 30);
        assertEquals(0, started.exit(), started.all());
        try {
            String screen = "";
            for (int i = 0; i < 50; i++) {
                Thread.sleep(200);
                screen = Commands.run("tmux", "capture-pane", "-p", "-t", session).out();
                if (Pattern.compile("\\b" + (cpus - 1) + "\\[").matcher(screen).find()) break;
            }
            Set<String> meters = Pattern.compile("(?<![\\w.])(\\d+)\\[").matcher(screen).results().map(m -> m.group(1))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(cpus, meters.size(), screen);
        } finally {
            Commands.run("tmux", "send-keys", "-t", session, "q");
            Thread.sleep(300);
            Commands.run("tmux", "kill-session", "-t", session);
        }
    }

    @Test
    void vmstatFreeAndUptimeRun() {
        assertTrue(exec("vmstat").out().lines().count() == 3);
        assertTrue(exec("free").out().contains("Mem:"));
        assertTrue(exec("uptime").out().contains("load average"));
    }

    @Test
    void nodeExporterCollectsTheClusterAsItCollectsProc() throws Exception {
        String onMount = scrape(mount.toString());
        String onProc = scrape("/proc");
        assertEquals(successes(onProc), successes(onMount), "the same collectors succeed");
        long series = onMount.lines().filter(l -> l.startsWith("node_cpu_seconds_total{")).count();
        Set<String> modes = onMount.lines().filter(l -> l.startsWith("node_cpu_seconds_total{"))
                .map(l -> field(l, "mode=\"(\\w+)\"")).collect(Collectors.toSet());
        assertEquals((long) cpus * modes.size(), series, "one series per CPU and mode");
        Set<String> cpuLabels = onMount.lines().filter(l -> l.startsWith("node_cpu_seconds_total{"))
                .map(l -> field(l, "cpu=\"(\\d+)\"")).collect(Collectors.toSet());
        assertEquals(cpus, cpuLabels.size());
    }

    /** node_exporter's default collectors once, over the given procfs. */
    static String scrape(String procfs) throws Exception {
        int port = ClusterMountIT.freePortBelowEphemeralRange() + 50;
        Process ne = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + procfs, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 100; i++) {
                Commands.Result r = Commands.run("curl", "-sf", "http://127.0.0.1:" + port + "/metrics");
                if (r.exit() == 0) return r.out();
                Thread.sleep(100);
            }
            throw new AssertionError("node_exporter did not answer");
        } finally {
            ne.destroy();
            ne.waitFor();
        }
    }

    static Set<String> successes(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("node_scrape_collector_success{") && l.endsWith(" 1"))
                .map(l -> field(l, "collector=\"(\\w+)\"")).collect(Collectors.toCollection(TreeSet::new));
    }
}
