package io.procsys.it;

import io.procsys.daemon.MountService;
import io.procsys.daemon.StandInNetwork;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /sys views and the stand-in network a cluster mount keeps for `procsys exec`: served live
 * by the mount (a host that joins shows at the next exec, remote disk counters move between
 * iostat's reports), and exec itself leaves nothing behind.
 */
class SysViewsIT {
    static final Path FIXTURES = ClusterCpuIT.FIXTURES;
    static Path diskHostTree;
    static Agent diskHost, joining;
    static int joiningPort;
    static MountService service;
    static Cluster cluster;
    static Path mount;

    @BeforeAll
    static void start() throws Exception {
        diskHostTree = copyOf(FIXTURES.resolve("local-a"));
        diskHost = ClusterMountIT.agent("disks", diskHostTree, 0);
        // the second peer's agent starts only in the test: until then it is down and out of the view
        joiningPort = ClusterMountIT.freePortBelowEphemeralRange();
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("disks", diskHost.address()),
                new Cluster.PeerAddress("late", new java.net.InetSocketAddress("127.0.0.1", joiningPort))), null, Duration.ofMillis(2000));
        mount = Files.createTempDirectory("procsys-sysviews-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(8);
        ClusterMountIT.superviseExecs(service);
        ClusterMountIT.waitFor(() -> cluster.peers().getFirst().status().state() == Peer.State.UP, 5_000, "disks up");
    }

    @AfterAll
    static void stop() throws IOException {
        assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
        service.close();
        assertFalse(Files.exists(StandInNetwork.pinOf(mount)), "the stand-in network is removed at unmount");
        diskHost.close();
        if (joining != null) joining.close();
        Files.deleteIfExists(mount);
        ClusterCpuIT.deleteTree(diskHostTree);
    }

    static Path copyOf(Path fixture) throws IOException {
        Path copy = Files.createTempDirectory("procsys-host-");
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(fixture.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
        return copy;
    }

    static Commands.Result exec(String... tool) {
        Commands.Result r = Commands.throughMirror(mount, tool);
        assertEquals(0, r.exit(), String.join(" ", tool) + ": " + r.all());
        return r;
    }

    static int combinedCpus() throws IOException {
        return (int) Files.readAllLines(mount.resolve("stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
    }

    @Test
    void aHostThatJoinsShowsItsCpusAndInterfacesAtTheNextExec() throws Exception {
        int before = combinedCpus();
        assertEquals(Integer.toString(before), exec("getconf", "_NPROCESSORS_ONLN").out().strip());
        assertFalse(exec("ip", "-o", "link").out().contains("h2-eth0"), "no link of the host before it joins");

        joining = ClusterMountIT.agent("late", FIXTURES.resolve("prometheus-procfs"), joiningPort);
        ClusterMountIT.waitFor(() -> cluster.peers().get(1).status().state() == Peer.State.UP, 15_000, "late up");
        int after = combinedCpus();
        assertEquals(before + 8, after, "the combined stat with the host that joined");
        assertEquals(Integer.toString(after), exec("getconf", "_NPROCESSORS_ONLN").out().strip());
        String lscpu = exec("lscpu").out();
        assertEquals(Integer.toString(after), ClusterCpuIT.field(lscpu, "^CPU\\(s\\):\\s+(\\d+)$"), lscpu);
        // the mount syncs its stand-in links within half a second of the peer coming up
        String links = "";
        for (int i = 0; i < 20 && !links.contains("h2-"); i++) {
            links = exec("ip", "-o", "link").out();
        }
        assertTrue(links.contains("h2-"), "a stand-in link of the host that joined: " + links);
    }

    @Test
    void iostatIntervalReportsShowRemoteDiskIo() throws Exception {
        // the remote host's disk reads on, all the time iostat runs: its diskstats is rewritten with growing counters
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread io = Thread.ofPlatform().start(() -> {
            long n = 0;
            while (reading.get()) {
                try {
                    n += 1000;
                    growVda(n);
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        Commands.Result r;
        try {
            r = exec("iostat", "-d", "1", "2");
        } finally {
            reading.set(false);
            io.join();
        }
        String out = r.out();
        System.out.println(out);
        String[] reports = out.split("\\n\\s*\\n");
        List<String> intervalRows = new ArrayList<>();
        for (int i = 2; i < reports.length; i++) reports[i].lines().filter(l -> l.startsWith("h1-vda ")).forEach(intervalRows::add);
        assertEquals(1, intervalRows.size(), out);
        double tps = Double.parseDouble(intervalRows.getFirst().split("\\s+")[1]);
        assertTrue(tps > 0, "the remote disk is busy in the interval report: " + out);
    }

    /** Writes the disk host's diskstats with vda's reads and sectors read grown by {@code n}, replacing the file at once. */
    static void growVda(long n) throws IOException {
        Path file = diskHostTree.resolve("diskstats");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(FIXTURES.resolve("local-a/diskstats"))) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 5 && f[2].equals("vda")) {
                f[3] = Long.toString(Long.parseLong(f[3]) + n);
                f[5] = Long.toString(Long.parseLong(f[5]) + 8 * n);
                line = String.join(" ", f);
            }
            out.add(line);
        }
        // readable by others, as the agent exports no file its owner keeps to itself
        Path next = Files.createTempFile(diskHostTree, ".diskstats", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        Files.write(next, out);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void theViewsAreLookedUpButNeverListed() throws IOException {
        assertTrue(Files.isRegularFile(mount.resolve(".sys/cpu/online")), "the CPU view");
        assertTrue(Files.isRegularFile(mount.resolve(".sys/block/h1-vda/stat")), "the remote disk");
        Commands.Result ls = Commands.run("ls", "-a", mount.toString());
        assertFalse(ls.out().lines().anyMatch(".sys"::equals), ls.out());
        // tools that scan /proc for pids take it for nothing
        exec("/usr/bin/python3", "-c", "import psutil; assert len(psutil.pids()) > 1; [p.info for p in psutil.process_iter(['name'])]");
        exec("ps", "-e");
    }

    @Test
    void aFailingCommandPassesItsStatusOn() {
        assertEquals(7, Commands.throughMirror(mount, "sh", "-c", "exit 7").exit());
    }

    @Test
    void execLeavesNothingBehind() throws IOException {
        exec("true"); // the first exec makes the one directory every exec mounts its tmpfs on
        String before = leftovers();
        for (int i = 0; i < 100; i++) exec("true");
        assertEquals(before, leftovers());
        // the launcher's own road (no JVM) as well
        for (int i = 0; i < 100; i++) {
            assertEquals(0, Commands.procsys("exec", "--mount", mount.toString(), "--no-intercept", "--", "true").exit());
        }
        assertEquals(before, leftovers());
    }

    /**
     * With --no-intercept nothing has to run between fork and exec, so the launcher runs exec on
     * the cluster view itself: CMD is the launcher's own process (`$$` is its pid, no JVM between)
     * and gets the same world as through Java: the stand-in network (or this host's with
     * --host-network), the /sys views, the view over /proc, its exit status passed on. With
     * interception, the default, too (the daemon supervises); only without python3 a JVM starts CMD.
     */
    @Test
    void withoutInterceptionTheLauncherRunsExecItself() throws Exception {
        List<String> lines = launch(5, "exec", "--mount", mount.toString(), "--no-intercept", "--", "sh", "-c",
                "echo $$; readlink /proc/self/ns/net; getconf _NPROCESSORS_ONLN; grep -c ' /proc .* - fuse.procsys ' /proc/self/mountinfo; exit 5");
        assertEquals("net:[" + Files.getAttribute(StandInNetwork.pinOf(mount), "unix:ino") + "]", lines.get(1), "the stand-in network: " + lines);
        assertEquals(Integer.toString(combinedCpus()), lines.get(2), "the CPU view: " + lines);
        assertEquals("1", lines.get(3), "the view is over /proc: " + lines);

        lines = launch(0, "exec", "--no-intercept", "--host-network", "--mount=" + mount, "--", "sh", "-c", "echo $$; readlink /proc/self/ns/net");
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), lines.get(1), "this host's network: " + lines);

        // with interception, the default, the daemon supervises and intercept-exec.py sets up: still no JVM, the same world
        lines = launch(6, "exec", "--mount", mount.toString(), "--", "sh", "-c",
                "echo $$; readlink /proc/self/ns/net; getconf _NPROCESSORS_ONLN; grep -c ' /proc .* - fuse.procsys ' /proc/self/mountinfo; exit 6");
        assertEquals("net:[" + Files.getAttribute(StandInNetwork.pinOf(mount), "unix:ino") + "]", lines.get(1), "the stand-in network: " + lines);
        assertEquals(Integer.toString(combinedCpus()), lines.get(2), "the CPU view: " + lines);
        assertEquals("1", lines.get(3), "the view is over /proc: " + lines);

        // without python3 the launcher starts a JVM on InterceptedExec with the argv it made (InterceptIT: the calls are answered)
        ProcessBuilder jvmRoad = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", mount.toString(), "--", "sh", "-c",
                "echo $$ $PPID; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; readlink /proc/self/ns/net; getconf _NPROCESSORS_ONLN");
        jvmRoad.environment().put("PROCSYS_PYTHON", "/nonexistent/python3");
        Process intercepted = jvmRoad.start();
        lines = new String(intercepted.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, intercepted.waitFor(), String.join("\n", lines));
        String[] pids = lines.getFirst().split(" ");
        assertFalse(pids[0].equals(Long.toString(intercepted.pid())), "with interception a JVM starts CMD: " + lines);
        assertEquals(Long.toString(intercepted.pid()), pids[1], "the launcher's process became that JVM: " + lines);
        assertTrue(lines.get(1).contains(" io.procsys.cli.InterceptedExec " + mount + " nsenter --net=" + StandInNetwork.pinOf(mount) + " unshare "),
                "the launcher's argv, run by InterceptedExec: " + lines);
        assertEquals("net:[" + Files.getAttribute(StandInNetwork.pinOf(mount), "unix:ino") + "]", lines.get(2), "the stand-in network: " + lines);
        assertEquals(Integer.toString(combinedCpus()), lines.get(3), "the CPU view: " + lines);
    }

    /** The launcher's lines, checked to come from its own process (the first line is CMD's `$$`) and to end with {@code exit}. */
    private static List<String> launch(int exit, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Commands.launcher().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(exit, p.waitFor(), String.join("\n", lines));
        assertEquals(Long.toString(p.pid()), lines.getFirst(), "CMD is the launcher's process, no JVM between: " + lines);
        return lines;
    }

    /**
     * What an exec could leave, as far as it is ours (other engineers' tests mount and unmount on
     * this machine meanwhile): mounts of this namespace on the mount, /run/procsys or the /sys
     * directories the views replace; named network namespaces; exec's temporary directories in
     * /tmp; everything under /run/procsys.
     */
    static String leftovers() throws IOException {
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(mount.toString()) || l.contains("/run/procsys") || l.contains(" /sys/devices/system/cpu ") || l.contains(" /sys/block "))
                .toList();
        String netns = Commands.run("ip", "netns", "list").out();
        List<String> tmp;
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            tmp = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("procsys-sys-") || n.startsWith("procsys-exec-")).sorted().toList();
        }
        List<String> run;
        try (Stream<Path> s = Files.walk(Path.of("/run/procsys"))) {
            run = s.map(Path::toString).sorted().toList();
        }
        return "mounts " + mounts + "\nnetns " + netns + "\n/tmp " + tmp + "\n/run/procsys " + run;
    }
}
