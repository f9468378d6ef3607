package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `--scope` on this machine kind (cgroup v1 hybrid, controllers mounted apart, no systemd), with
 * cgroups this test makes under procsys-it-PID in every hierarchy and removes at the end
 * (TestCgroups). {@code here/web}: 300 MiB, 50 % of a CPU, two sleepers and a busy loop.
 * <ul>
 *   <li>a scoped mount of this host alone (LXCFS's job): ps, free, the CPU counts, top, vmstat and
 *       free -s through procsys exec, a member moving out;</li>
 *   <li>a scoped cluster view of this host and three agent processes, each given a cgroup root of
 *       its own ({@code --cgroup-root}: links to procsys-it-PID/hN in every hierarchy), so that the
 *       spec {@code /web} names another cgroup on each: h1 200 MiB and a whole CPU, h2 no limit of its
 *       own under a 100 MiB parent and a quarter of a CPU, h3 without it. Sums, hosts/, status, a host
 *       whose unit stops and starts again.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScopeIT {
    static TestCgroups cgroups;
    static Path work, alone, cluster;
    static final List<Process> agents = new ArrayList<>();
    static final java.util.Map<String, Integer> ports = new java.util.HashMap<>();
    static Path certs, nobody;
    static long sleeper1, sleeper2, busy, h1Member, h2Member;

    @BeforeAll
    static void start() throws Exception {
        cgroups = new TestCgroups();
        work = Files.createTempDirectory("procsys-scope-");
        for (String host : List.of("here", "h1", "h2", "h3")) cgroups.make(host);
        cgroups.make("here/web");
        cgroups.set("memory", "here/web", "memory.limit_in_bytes", Long.toString(300L << 20));
        cgroups.set("cpu", "here/web", "cpu.cfs_quota_us", "50000");
        cgroups.make("h1/web");
        cgroups.set("memory", "h1/web", "memory.limit_in_bytes", Long.toString(200L << 20));
        cgroups.set("cpu", "h1/web", "cpu.cfs_quota_us", "100000");
        cgroups.make("h2/web");
        cgroups.set("memory", "h2", "memory.limit_in_bytes", Long.toString(100L << 20)); // the parent's limit applies
        cgroups.set("cpu", "h2/web", "cpu.cfs_quota_us", "25000");
        sleeper1 = cgroups.start("here/web", "sleep 600").pid();
        sleeper2 = cgroups.start("here/web", "sleep 601").pid();
        busy = cgroups.start("here/web", "sh -c 'while :; do :; done'").pid();
        h1Member = cgroups.start("h1/web", "sleep 602").pid();
        h2Member = cgroups.start("h2/web", "sleep 603").pid();

        alone = Files.createDirectories(work.resolve("alone"));
        mount("--scope", cgroups.cgroupPath("here/web"), alone.toString());

        certs = work.resolve("certs");
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "here", "h1", "h2", "h3");
        assertEquals(0, made.exit(), made.all());
        List<String> args = new ArrayList<>(List.of("--name", "here", "--certs-dir", certs.toString(), "--deadline-ms", "3000",
                "--scope", "/web", "--cgroup-root", cgroups.rootAt(work.resolve("cgroups-here"), "here").toString()));
        for (String host : List.of("h1", "h2", "h3")) {
            int port = SamplingIT.freePort();
            ports.put(host, port);
            agents.add(new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--name", host,
                    "--certs-dir", certs.toString(), "--warmup", "0", "--cgroup-root", cgroups.rootAt(work.resolve("cgroups-" + host), host).toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("agent-" + host + ".log").toFile()).start());
            args.addAll(List.of("--peer", host + "=127.0.0.1:" + port));
        }
        cluster = Files.createDirectories(work.resolve("cluster"));
        args.add(cluster.toString());
        mount(args.toArray(String[]::new));
        ClusterMountIT.waitFor(() -> names(cluster.resolve("hosts")).containsAll(List.of("h1", "h2")), 60_000, "h1 and h2 in the view");
    }

    /** The names in {@code dir}, or none while it cannot be listed. */
    static List<String> names(Path dir) {
        try {
            return ClusterMountIT.names(dir);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    static void mount(String... args) {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        Commands.Result r = Commands.procsys(command.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Path m : new Path[]{alone, cluster, nobody}) {
                if (m != null && Files.exists(m)) Commands.procsys("umount", m.toString());
            }
            for (Process p : agents) {
                p.destroy();
                p.waitFor();
            }
        } finally {
            if (cgroups != null) cgroups.close();
            if (work != null) {
                try (var files = Files.walk(work)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    static String exec(Path view, String... tool) {
        Commands.Result r = Commands.throughMirror(view, tool);
        assertEquals(0, r.exit(), String.join(" ", tool) + ": " + r.all());
        return r.out();
    }

    /** free's Mem: total (kB). */
    static long memTotal(Path view) {
        return Long.parseLong(exec(view, "free").lines().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().trim().split("\\s+")[1]);
    }

    static List<Long> pids(Path view) {
        return exec(view, "ps", "-e", "-o", "pid=").lines().map(String::strip).map(Long::parseLong).sorted().toList();
    }

    // ---- this host alone

    @Test
    @Order(1)
    void psListsExactlyTheMembersWithTheirRealParents() throws Exception {
        assertEquals(List.of(sleeper1, sleeper2, busy), pids(alone));
        String parents = exec(alone, "ps", "-o", "ppid=", "-p", Long.toString(sleeper1)).strip();
        assertEquals(Long.toString(ProcessHandle.of(sleeper1).orElseThrow().parent().orElseThrow().pid()), parents, "the real parent, outside the scope");
        assertFalse(Files.exists(alone.resolve("1")), "a process outside the scope is not there");
        Process outside = new ProcessBuilder("sleep", "60").start();
        try {
            assertFalse(Files.exists(alone.resolve(Long.toString(outside.pid()))), "nor one started beside it");
            assertTrue(Files.exists(alone.resolve(Long.toString(ProcessHandle.current().pid()))), "but this test's own, the caller's");
        } finally {
            outside.destroyForcibly().waitFor();
        }
        assertTrue(exec(alone, "cat", "/proc/self/status").contains("Name:\tcat"), "the caller's own process is");
    }

    @Test
    @Order(2)
    void freeShowsTheLimitAndOneCpuEverywhere() throws Exception {
        assertEquals(307200, memTotal(alone));
        assertEquals(1, exec(alone, "cat", "/proc/cpuinfo").lines().filter(l -> l.startsWith("processor")).count());
        assertEquals(List.of("cpu ", "cpu0"), exec(alone, "cat", "/proc/stat").lines().filter(l -> l.startsWith("cpu")).map(l -> l.substring(0, 4)).toList());
        assertEquals("1", exec(alone, "getconf", "_NPROCESSORS_ONLN").strip());
        assertEquals("1", exec(alone, "nproc").strip(), "sched_getaffinity(0) answers the scope's CPUs");
        assertTrue(Integer.parseInt(exec(alone, "getconf", "_NPROCESSORS_ONLN").strip()) < Runtime.getRuntime().availableProcessors() || Runtime.getRuntime().availableProcessors() == 1);
    }

    /** CPUs the busy loop used per second of {@code run}, from its cgroup's own counter. */
    static double busyShare(Runnable run) {
        long t0 = System.nanoTime(), u0 = Long.parseLong(cgroups.get("cpuacct", "here/web", "cpuacct.usage"));
        run.run();
        return (Long.parseLong(cgroups.get("cpuacct", "here/web", "cpuacct.usage")) - u0) / (double) (System.nanoTime() - t0);
    }

    static final Pattern CPU_SUMMARY = Pattern.compile("%Cpu\\(s\\):\\s*([\\d.]+) us,\\s*([\\d.]+) sy");

    /** top's second sample: the busy loop's share of the 50 % quota, not the host's load. */
    @Test
    @Order(3)
    void topShowsTheBusyLoopsShareOfItsQuota() {
        String[] out = new String[1];
        double share = busyShare(() -> out[0] = exec(alone, "top", "-b", "-n", "2", "-d", "2"));
        Matcher m = CPU_SUMMARY.matcher(out[0]);
        List<Double> busyPercent = new ArrayList<>();
        while (m.find()) busyPercent.add(Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)));
        assertEquals(2, busyPercent.size(), out[0]);
        double expected = Math.min(100, share / 0.5 * 100);
        assertEquals(expected, busyPercent.get(1), 20, "the loop used " + share + " CPU of its 0.5: " + out[0]);
        assertTrue(busyPercent.get(1) > 40, "a saturated quota reads busy: " + out[0]);
    }

    @Test
    @Order(4)
    void samplingToolsMoveWithTheScope() throws Exception {
        String[] vmstat = new String[1];
        double share = busyShare(() -> vmstat[0] = exec(alone, "vmstat", "1", "3"));
        List<String> rows = vmstat[0].lines().skip(2).toList();
        assertEquals(3, rows.size(), vmstat[0]);
        for (String row : rows.subList(1, 3)) {
            String[] f = row.trim().split("\\s+");
            int us = Integer.parseInt(f[12]), sy = Integer.parseInt(f[13]);
            assertEquals(Math.min(100, share / 0.5 * 100), us + sy, 25, "vmstat's interval follows the scope: " + vmstat[0]);
            assertTrue(Long.parseLong(f[3]) <= 307200, "free memory within the limit: " + row);
        }
        // a member takes 64 MiB while free samples: used grows by it
        Process hog = cgroups.start("here/web", "python3 -c \"import time; time.sleep(1.2); b = b'x' * (64 << 20); time.sleep(6)\"");
        try {
            String free = exec(alone, "free", "-s", "1", "-c", "4");
            List<Long> used = free.lines().filter(l -> l.startsWith("Mem:")).map(l -> Long.parseLong(l.trim().split("\\s+")[2])).toList();
            assertEquals(4, used.size(), free);
            assertTrue(used.getLast() - used.getFirst() > 50_000, "used grew by the member's 64 MiB: " + used);
        } finally {
            hog.destroyForcibly().waitFor();
        }
    }

    @Test
    @Order(5)
    void diskstatsAreTheScopesThrottledIo() throws Exception {
        String[] dev = diskOf(work);
        org.junit.jupiter.api.Assumptions.assumeTrue(dev != null, "the test directory is on no whole disk of /proc/diskstats");
        // v1 counts a cgroup's I/O in blkio.throttle.* only on a device with a rule: one far above any disk's speed
        cgroups.set("blkio", "here/web", "blkio.throttle.write_bps_device", dev[0] + " " + (1L << 40));
        Path file = work.resolve("dd");
        Process dd = cgroups.start("here/web", "dd if=/dev/zero of=" + file + " bs=1M count=8 oflag=direct status=none");
        assertEquals(0, dd.waitFor());
        String row = exec(alone, "cat", "/proc/diskstats").lines().filter(l -> l.trim().split("\\s+")[2].equals(dev[1])).findFirst().orElseThrow();
        long written = Long.parseLong(row.trim().split("\\s+")[9]);
        assertEquals(8L << 20 >> 9, written, 1024, "sectors written by the scope: " + row);
        Files.delete(file);
    }

    /** {MAJ:MIN, name} of the whole disk {@code dir} is on, or null. */
    static String[] diskOf(Path dir) throws Exception {
        long dev = (long) Files.getAttribute(dir, "unix:dev");
        String majMin = (dev >> 8 & 0xfff) + ":" + ((dev & 0xff) | (dev >> 12 & 0xfff00));
        Path sys = Path.of("/sys/dev/block", majMin);
        if (!Files.exists(sys)) return null;
        if (Files.exists(sys.resolve("partition"))) sys = sys.toRealPath().getParent();
        String disk = sys.toRealPath().getFileName().toString();
        String whole = Files.readString(sys.toRealPath().resolve("dev")).strip();
        return Files.readString(Path.of("/proc/diskstats")).contains(" " + disk + " ") ? new String[]{whole, disk} : null;
    }

    // ---- a cluster view

    @Test
    @Order(6)
    void theClusterSumsThePresentHostsAndNamesTheOthers() throws Exception {
        assertEquals(List.of("h1", "h2", "here"), ClusterMountIT.names(cluster.resolve("hosts")), "h3 has no /web: left out");
        assertEquals(307200 + 204800 + 102400, memTotal(cluster), "here's limit, h1's, and h2's parent's");
        assertEquals("3", exec(cluster, "getconf", "_NPROCESSORS_ONLN").strip(), "one CPU each: 50 %, 100 %, 25 %");
        assertEquals("3", exec(cluster, "nproc").strip());
        List<String> commands = exec(cluster, "ps", "-e", "-o", "args=").lines().map(String::strip).sorted().toList();
        assertEquals(List.of("sh -c while :; do :; done", "sleep 600", "sleep 601", "sleep 602", "sleep 603"), commands);
        String status = Commands.procsys("status", cluster.toString()).out();
        assertTrue(status.contains("scope /web:"), status);
        assertTrue(Pattern.compile("here +present hybrid 0::/web, 3 processes").matcher(status).find(), status);
        assertTrue(Pattern.compile("h1 +present hybrid 0::/web, 1 process").matcher(status).find(), status);
        assertTrue(Pattern.compile("h3 +absent hybrid: /web: no cgroup /web").matcher(status).find(), status);
    }

    /** As `systemctl stop web` on one host: its cgroup goes, and the host leaves the view; back when it starts again. */
    @Test
    @Order(7)
    void aHostWhoseScopeStopsLeavesAndComesBack() throws Exception {
        ProcessHandle.of(h1Member).orElseThrow().destroyForcibly();
        ClusterMountIT.waitFor(() -> cgroups.members("h1/web").isEmpty(), 5_000, "h1's member gone");
        cgroups.remove("h1/web");
        ClusterMountIT.waitFor(() -> memTotal(cluster) == 307200 + 102400, 10_000, "h1 out of meminfo");
        ClusterMountIT.waitFor(() -> !names(cluster.resolve("hosts")).contains("h1"), 10_000, "h1 out of hosts/");
        assertFalse(exec(cluster, "ps", "-e", "-o", "args=").contains("sleep 602"));
        assertTrue(Pattern.compile("h1 +absent").matcher(Commands.procsys("status", cluster.toString()).out()).find());
        cgroups.make("h1/web");
        cgroups.set("memory", "h1/web", "memory.limit_in_bytes", Long.toString(200L << 20));
        h1Member = cgroups.start("h1/web", "sleep 604").pid();
        ClusterMountIT.waitFor(() -> memTotal(cluster) == 307200 + 204800 + 102400, 10_000, "h1 back in meminfo");
        ClusterMountIT.waitFor(() -> exec(cluster, "ps", "-e", "-o", "args=").contains("sleep 604"), 10_000, "h1's new process listed");
        ClusterMountIT.waitFor(() -> names(cluster.resolve("hosts")).contains("h1"), 10_000, "h1 back in hosts/");
    }

    /**
     * A scope no host has (a service not started yet): every host is left out, the combined files
     * answer no host (never this host's values), and exec still runs a tool on the view (its /sys
     * CPU and disk views empty) instead of failing to bind them. Tools that need the combined stat
     * (ps reads its btime) fail on such a view as on a cluster whose hosts are all down.
     */
    @Test
    @Order(9)
    void execRunsOnAScopeThatEveryHostLeavesOut() throws Exception {
        nobody = Files.createDirectories(work.resolve("nobody"));
        mount("--name", "here", "--certs-dir", certs.toString(), "--deadline-ms", "3000", "--scope", "/not-started",
                "--cgroup-root", cgroups.rootAt(work.resolve("cgroups-nobody"), "here").toString(),
                "--peer", "h3=127.0.0.1:" + ports.get("h3"), nobody.toString());
        ClusterMountIT.waitFor(() -> Pattern.compile("h3 +absent").matcher(Commands.procsys("status", nobody.toString()).out()).find(),
                30_000, "h3 connected and left out");
        assertEquals(List.of(), names(nobody.resolve("hosts")));
        assertEquals("0", exec(nobody, "sh", "-c", "ls /proc/hosts | wc -l; ls /proc | grep -c '^[0-9]' || true").lines()
                .map(String::strip).distinct().reduce((a, b) -> a + "," + b).orElse(""), "no host and no member listed");
        Commands.Result meminfo = Commands.throughMirror(nobody, "cat", "/proc/meminfo");
        assertEquals(1, meminfo.exit(), "never this host's memory: " + meminfo.all());
        assertTrue(meminfo.all().contains("No route to host"), meminfo.all());
    }

    /** Last: the other tests count three members. */
    @Test
    @Order(8)
    void aMemberThatMovesOutLeavesTheListing() throws Exception {
        cgroups.move(sleeper2, "here");
        assertEquals(List.of(sleeper1, busy), pids(alone));
        assertFalse(Files.exists(alone.resolve(Long.toString(sleeper2))));
        ClusterMountIT.waitFor(() -> !exec(cluster, "ps", "-e", "-o", "args=").contains("sleep 601"), 10_000, "the moved process gone from the cluster");
        Process child = cgroups.start("here/web", "sleep 605");
        assertTrue(pids(alone).contains(child.pid()), "a new member shows at once");
    }
}
