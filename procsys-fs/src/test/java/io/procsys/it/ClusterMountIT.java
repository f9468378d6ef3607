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
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two agents on loopback (one exporting a captured host, one this machine's /proc) combined by a
 * real mount under hosts/; then one agent dies and comes back.
 */
class ClusterMountIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(400);
    static Agent old, live;
    static Path mount;
    static MountService service;
    static Cluster cluster;

    static Agent agent(String name, Path root, int port) throws InterruptedException {
        return Agent.start(new InetSocketAddress("127.0.0.1", port), name, new ExportedTree(ProcTree.open(root)), null);
    }

    @BeforeAll
    static void startAgentsAndMount() throws Exception {
        old = agent("old", FIXTURE, 0);
        live = agent("live", Path.of("/proc"), freePortBelowEphemeralRange());
        mount = Files.createTempDirectory("procsys-cluster-");
        cluster = new Cluster("here", List.of(
                new Cluster.PeerAddress("old", old.address()), new Cluster.PeerAddress("live", live.address())), null, DEADLINE);
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(8);
        superviseExecs(service);
        for (Peer p : cluster.peers()) waitFor(() -> p.status().state() == Peer.State.UP, 5_000, p.name() + " up");
    }

    @AfterAll
    static void stopAll() throws IOException {
        assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
        service.close();
        old.close();
        live.close();
        Files.deleteIfExists(mount);
    }

    /**
     * The live agent is restarted on its port, so that port must not be one the reconnecting
     * client may take as its own ephemeral port (32768 and up on Linux).
     */
    static int freePortBelowEphemeralRange() throws IOException {
        for (int port = 20000 + (int) (ProcessHandle.current().pid() % 5000); port < 32000; port++) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IOException("no free port");
    }

    /**
     * What `procsys mount` starts beside a cluster view: the daemon as the supervisor of `procsys
     * exec` (InterceptEndpoint), so the launcher's execs take the road with no JVM. Closed with the mount.
     */
    static void superviseExecs(io.procsys.daemon.MountService service) throws java.io.IOException {
        service.closeFirst(io.procsys.daemon.intercept.InterceptEndpoint.start(service.mountpoint(),
                io.procsys.daemon.MountControl.inProcess(service.cluster())));
    }

    static void waitFor(java.util.function.BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyHostIsUnderHosts() throws IOException {
        assertTrue(names(mount).contains("hosts"), "hosts/ beside the local files");
        assertEquals(List.of("here", "live", "old"), names(mount.resolve("hosts")));
        assertTrue(Files.readString(mount.resolve("meminfo")).startsWith("MemTotal:"), "the top level is still the local mirror");
    }

    @Test
    void aRemoteHostsFilesAreItsOwn() throws IOException {
        Path old = mount.resolve("hosts/old");
        for (String f : List.of("meminfo", "stat", "cpuinfo", "26231/status", "net/dev", "26231/smaps")) {
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(f)), Files.readAllBytes(old.resolve(f)), f);
        }
        assertTrue(names(old).containsAll(List.of("26231", "meminfo", "net", "self")));
        assertEquals(Path.of("/"), Files.readSymbolicLink(old.resolve("26231/root")), "link text only");
        assertThrows(FileSystemException.class, () -> Files.readAllBytes(old.resolve("26231/environ")));
        assertEquals(Path.of("/usr/bin"), Files.readSymbolicLink(old.resolve("26231/cwd")));
        assertTrue(Files.readString(mount.resolve("hosts/live/uptime")).matches("[0-9.]+ [0-9.]+\n"));
        assertTrue(Files.readString(mount.resolve("hosts/here/loadavg")).split(" ").length == 5);
    }

    static long memTotalKb(String meminfo) {
        return meminfo.lines().filter(l -> l.startsWith("MemTotal:")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).sum();
    }

    static long processors(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.startsWith("processor")).count();
    }

    @Test
    void memoryIsTheSumOfEveryHostAndFreeShowsIt() throws IOException {
        long sum = 0;
        for (String host : List.of("here", "old", "live")) sum += memTotalKb(Files.readString(mount.resolve("hosts/" + host + "/meminfo")));
        assertEquals(sum, memTotalKb(Files.readString(mount.resolve("meminfo"))), "MemTotal is the sum");
        // free, through the combined view, reports the sum (kB → free's default KiB)
        Commands.Result free = Commands.throughMirror(mount, "free");
        assertEquals(0, free.exit(), free.err());
        assertEquals(Long.toString(sum), ToolOutputs.row(free.out(), "Mem:")[1]);
    }

    long clusterCpus() throws IOException {
        long cpus = 0;
        for (String host : List.of("here", "old", "live")) cpus += processors(Files.readString(mount.resolve("hosts/" + host + "/cpuinfo")));
        return cpus;
    }

    @Test
    void everyHostsCpusAreInCpuinfoStatAndTop() throws IOException {
        long cpus = clusterCpus();
        assertEquals(cpus, processors(Files.readString(mount.resolve("cpuinfo"))), "processors of every host");
        String stat = Files.readString(mount.resolve("stat"));
        assertEquals(cpus, stat.lines().filter(l -> l.matches("^cpu[0-9]+ .*")).count(), "cpuN lines of every host");
        // top counts CPUs from the cpuN lines of the combined stat: with -1 it shows one "CpuN :" per CPU, two to a line
        Commands.Result top = Commands.throughMirror(mount, "top", "-1", "-bn1", "-w", "512");
        assertEquals(0, top.exit(), top.err());
        assertEquals(cpus, java.util.regex.Pattern.compile("Cpu[0-9]+ *:").matcher(top.out()).results().count(), top.out());
    }

    /** The interface names of a net/dev. */
    static Set<String> interfaces(String netDev) {
        return netDev.lines().skip(2).map(l -> l.substring(0, l.lastIndexOf(':')).trim()).collect(Collectors.toSet());
    }

    @Test
    void everyHostsInterfacesAreInNetDevIfconfigAndNetstat() throws IOException {
        Set<String> expected = new java.util.HashSet<>();
        for (String host : List.of("here", "old", "live")) {
            int index = List.of("here", "old", "live").indexOf(host);
            for (String name : interfaces(Files.readString(mount.resolve("hosts/" + host + "/net/dev")))) {
                expected.add(io.procsys.fs.identity.InterfaceNames.forHost(index, name));
            }
        }
        String netDev = Files.readString(mount.resolve("net/dev"));
        assertEquals(expected, interfaces(netDev), "every host's interfaces, remote ones renamed");
        // ifconfig asks the kernel about every net/dev name: exec gives it stand-in links for the remote ones
        Commands.Result ifconfig = Commands.throughMirror(mount, "ifconfig", "-a");
        assertEquals(0, ifconfig.exit(), ifconfig.err());
        assertEquals("", ifconfig.err());
        assertEquals(expected, ToolOutputs.interfaces(ifconfig.out()), ifconfig.out());
        Commands.Result netstatI = Commands.throughMirror(mount, "netstat", "-i");
        assertEquals(0, netstatI.exit(), netstatI.err());
        assertTrue(netstatI.out().contains("h1-eth0 ") && netstatI.out().contains("h2-eth0 "), netstatI.out());
    }

    @Test
    void everyHostsSocketsNeighboursAndRoutesReachTheTools() {
        Commands.Result netstat = Commands.throughMirror(mount, "netstat", "-tuna");
        assertEquals(0, netstat.exit(), netstat.err());
        assertTrue(netstat.out().contains("10.0.0.5:22 "), "a socket of the captured host (its net/tcp row 0500000A:0016)");
        Commands.Result arp = Commands.throughMirror(mount, "arp", "-n");
        assertEquals(0, arp.exit(), arp.err());
        assertTrue(arp.out().contains("192.168.224.1") && arp.out().contains("h1-ens33"), "the captured host's neighbours, device renamed: " + arp.out());
        Commands.Result route = Commands.throughMirror(mount, "route", "-n");
        assertEquals(0, route.exit(), route.err());
        assertTrue(route.out().contains(" h2-"), "the live host's routes, device renamed: " + route.out());
    }

    @Test
    void remoteProcessesHaveClusterWidePids() throws IOException {
        // host "old"'s pid 26231 gets a cluster pid ≥ 2^22 when listed, and so do the pids inside its files
        long vim = ClusterPids.listed(cluster, mount, "old", 26231);
        assertTrue(vim >= 1 << 22 && vim < 1 << 30, "in the remote range: " + vim);
        String stat = Files.readString(mount.resolve(vim + "/stat"));
        assertTrue(stat.startsWith(vim + " (vim) R "), stat);
        long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        assertEquals(new io.procsys.fs.cluster.ClusterActions.Location(1, "old", 5392), ClusterPids.where(cluster, parent), "its stat's ppid is old's 5392");
        String status = Files.readString(mount.resolve(vim + "/status"));
        long statusParent = Long.parseLong(status.lines().filter(l -> l.startsWith("PPid:")).findFirst().orElseThrow().substring(5).strip());
        assertTrue(status.contains("\nPid:\t" + vim + "\n") && status.contains("\nTgid:\t" + vim + "\n"), status);
        assertEquals(new io.procsys.fs.cluster.ClusterActions.Location(1, "old", 1), ClusterPids.where(cluster, statusParent),
                "its status's PPid is old's 1 (not in the capture's listing: mapped when first named)");
        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve("26231/cmdline")), Files.readAllBytes(mount.resolve(vim + "/cmdline")));
        // the live host's init has a cluster pid of its own, not old's
        long liveInit = ClusterPids.listed(cluster, mount, "live", 1);
        assertNotEquals(statusParent, liveInit);
        assertTrue(Files.readString(mount.resolve(liveInit + "/status")).contains("\nPid:\t" + liveInit + "\n"));
        Commands.Result ps = Commands.throughMirror(mount, "ps", "-eo", "pid,ppid,comm");
        assertEquals(0, ps.exit(), ps.err());
        // ps takes the parent from status (PPid 1 in this capture; its stat says 5392)
        assertTrue(ps.out().lines().anyMatch(l -> l.trim().matches(vim + "\\s+" + statusParent + "\\s+vim")), ps.out());
        assertTrue(ps.out().lines().anyMatch(l -> l.trim().startsWith(liveInit + " ")), "the live host's processes too");
        assertTrue(ps.out().lines().anyMatch(l -> l.trim().startsWith("1 ")), "and this host's");
        assertEquals("1073741824\n", Files.readString(mount.resolve("sys/kernel/pid_max")), "pid columns wide enough");
        assertEquals("socket:[" + ((1L << 32) + 7) + "]", io.procsys.fs.cluster.ClusterFsAccess.socketLink(1, "socket:[7]"));
    }

    @Test
    void aDeadHostAnswersAnErrorWithinTheDeadlineAndComesBack() throws Exception {
        int port = live.address().getPort();
        live.close();
        Peer peer = service.cluster().peers().get(1);
        waitFor(() -> peer.status().state() == Peer.State.DOWN, 5_000, "live down");
        long t0 = System.nanoTime();
        assertThrows(FileSystemException.class, () -> Files.readAllBytes(mount.resolve("hosts/live/version")));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < DEADLINE.toMillis() + 300, "answered in " + millis + " ms");
        assertEquals(Files.readString(FIXTURE.resolve("loadavg")), Files.readString(mount.resolve("hosts/old/loadavg")),
                "the other host is unaffected");
        long withoutLive = memTotalKb(Files.readString(mount.resolve("hosts/here/meminfo")))
                + memTotalKb(Files.readString(mount.resolve("hosts/old/meminfo")));
        // served from its last answer while that is within --stale-ms (4 deadlines), then left out; never waited for
        waitFor(() -> {
            long t1 = System.nanoTime();
            try {
                boolean left = memTotalKb(Files.readString(mount.resolve("meminfo"))) == withoutLive;
                assertTrue((System.nanoTime() - t1) / 1_000_000 < DEADLINE.toMillis() + 300);
                return left;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, 4 * DEADLINE.toMillis() + 2_000, "the dead host left out of the sum past --stale-ms");
        String lastError = peer.status().lastError();
        assertTrue(lastError.equals("connection lost") || lastError.contains("refused"), "why it is down: " + lastError);
        live = agent("live", Path.of("/proc"), port);
        waitFor(() -> peer.status().state() == Peer.State.UP, 10_000, "live back");
        waitFor(() -> {
            try {
                return Files.readString(mount.resolve("hosts/live/version")).startsWith("Linux");
            } catch (IOException late) { // a cold agent may miss its first deadline: it is then asked once a deadline period
                return false;
            }
        }, 10_000, "live answers");
        waitFor(() -> {
            try {
                return memTotalKb(Files.readString(mount.resolve("meminfo"))) > withoutLive;
            } catch (IOException e) {
                return false;
            }
        }, 10_000, "live back in the sum");
    }
}
