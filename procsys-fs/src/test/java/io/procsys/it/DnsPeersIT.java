package io.procsys.it;

import io.procsys.fs.identity.PidMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `procsys mount --peers-dns` against a real DNS server: dnsmasq, agents and the mount daemon in
 * a network namespace of their own (`ip netns exec` also gives them /etc/netns/NS/resolv.conf,
 * which names dnsmasq). Records added join the view, records removed leave it (a node that comes
 * back gets its index back: its cluster pids name it again), two records of one
 * node name keep one host, and a dead DNS server keeps the last set.
 */
class DnsPeersIT {
    static final String NS = "procsys-dns-" + ProcessHandle.current().pid();
    static final String NAME = "agents.procsys.test";
    static final Path FIXTURES = Path.of("src/test/data/hosts").toAbsolutePath();
    static final Path NETNS_ETC = Path.of("/etc/netns", NS);
    static final List<Process> processes = new ArrayList<>();
    static Path records, mount, work;
    static Process dnsmasq, daemon;

    static void run(String... command) {
        Commands.Result r = Commands.run(command);
        assertEquals(0, r.exit(), String.join(" ", command) + ": " + r.all());
    }

    static Process inNamespace(String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        argv.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(work.resolve(command[0].replaceAll(".*/", "") + processes.size() + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    static void agent(String address, String node, String fixture) throws IOException {
        inNamespace(Commands.launcher().toString(), "agent", "--insecure", "--warmup", "0", "--listen", address + ":7070",
                "--name", node, "--proc-root", FIXTURES.resolve(fixture).toString());
    }

    static void records(String... addresses) throws IOException {
        Files.writeString(records, Arrays.stream(addresses).map(a -> a + " " + NAME + "\n").collect(Collectors.joining()));
        if (dnsmasq != null && dnsmasq.isAlive()) run("kill", "-HUP", Long.toString(dnsmasq.pid())); // re-reads its hosts file
    }

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("procsys-dns-");
        records = work.resolve("records");
        mount = Files.createDirectories(work.resolve("mnt"));
        run("ip", "netns", "add", NS);
        run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
        Files.createDirectories(NETNS_ETC);
        Files.writeString(NETNS_ETC.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        records("127.0.0.2", "127.0.0.3");
        dnsmasq = inNamespace("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--addn-hosts=" + records,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53", "--local-ttl=0", "--user=root", "--pid-file=" + work.resolve("dnsmasq.pid"));
        lookupsReachDnsmasq();
        agent("127.0.0.2", "n2", "local-a");
        agent("127.0.0.3", "n3", "local-b");
        agent("127.0.0.4", "n4", "prometheus-procfs");
        agent("127.0.0.5", "n2", "local-b"); // a second agent calling itself n2
        daemon = inNamespace(Commands.launcher().toString(), "mount", "--foreground", "--insecure", "--name", "top",
                "--peers-dns", NAME + ":7070", "--dns-refresh", "1", mount.toString());
    }

    /**
     * The namespace's lookups go to dnsmasq only if /etc/nsswitch.conf sends them to DNS: a host
     * whose hosts: line asks systemd-resolved (nss-resolve) first answers from the host's DNS.
     */
    static void lookupsReachDnsmasq() throws Exception {
        try {
            ClusterMountIT.waitFor(() -> Commands.run("ip", "netns", "exec", NS, "getent", "hosts", NAME).exit() == 0, 10_000, NAME);
        } catch (AssertionError e) {
            String hosts = Files.readAllLines(Path.of("/etc/nsswitch.conf")).stream().filter(l -> l.startsWith("hosts:")).findFirst().orElse("no hosts: line");
            throw new AssertionError("getent in the namespace does not resolve " + NAME + " through its dnsmasq in 10 s; /etc/nsswitch.conf has '"
                    + hosts + "' (the hosts: line must reach dns: without it, or with resolve before it, the name is looked up elsewhere)", e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.destroy(); // SIGTERM: unmounts
            daemon.waitFor();
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Commands.run("ip", "netns", "del", NS);
        try (var files = Files.walk(NETNS_ETC)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The names under hosts/, read inside the daemon's mount namespace (where its mount is). */
    static Set<String> hosts() {
        Commands.Result r = Commands.run("nsenter", "-t", Long.toString(daemon.pid()), "-m", "ls", mount.resolve("hosts").toString());
        return r.exit() != 0 ? Set.of() : r.out().lines().collect(Collectors.toCollection(TreeSet::new));
    }

    static String status() {
        return Commands.run("nsenter", "-t", Long.toString(daemon.pid()), "-m", Commands.launcher().toString(), "status", "--json", mount.toString()).all();
    }

    static void waitForHosts(Set<String> expected, long millis) throws InterruptedException {
        ClusterMountIT.waitFor(() -> hosts().equals(expected), millis, "hosts " + expected + " (now " + hosts() + ", status " + status() + ")");
    }

    /** `procsys which` of cluster pids, run where the mount is. */
    static Commands.Result which(String... clusterPids) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(daemon.pid()), "-m", Commands.launcher().toString(), "which", "--mount", mount.toString()));
        argv.addAll(Arrays.asList(clusterPids));
        return Commands.run(argv.toArray(String[]::new));
    }

    /** The line `procsys which` prints for the process {@code pid} of {@code host} in a listing of the mount's root. */
    static String whichOf(String host, String pid) {
        Commands.Result listing = Commands.run("nsenter", "-t", Long.toString(daemon.pid()), "-m", "ls", mount.toString());
        String[] clusterPids = listing.out().lines().filter(n -> n.matches("[0-9]+") && Long.parseLong(n) >= PidMap.HOST_PID_LIMIT).toArray(String[]::new);
        assertTrue(clusterPids.length > 0, "remote processes listed: " + listing.all());
        Commands.Result r = which(clusterPids);
        return r.out().lines().filter(l -> l.endsWith(" " + host + " " + pid)).findFirst()
                .orElseThrow(() -> new AssertionError("no cluster pid of " + host + " " + pid + ": " + r.all()));
    }

    @Test
    void recordsJoinAndLeaveAndADeadServerKeepsTheLastSet() throws Exception {
        waitForHosts(Set.of("top", "n2", "n3"), 60_000);

        records("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
        waitForHosts(Set.of("top", "n2", "n3", "n4"), 15_000);
        String content = Commands.run("nsenter", "-t", Long.toString(daemon.pid()), "-m", "cat", mount.resolve("hosts/n4/meminfo").toString()).out();
        assertTrue(content.startsWith("MemTotal:"), content);
        ClusterMountIT.waitFor(() -> status().contains("two records lead to node n2"), 10_000, "the duplicate reported: " + status());

        records("127.0.0.2", "127.0.0.4", "127.0.0.5");
        waitForHosts(Set.of("top", "n2", "n4"), 15_000);
        assertTrue(status().contains("left n3"), status());

        long t0 = System.nanoTime();
        String n4Process = whichOf("n4", "26231");
        records("127.0.0.2", "127.0.0.5");
        waitForHosts(Set.of("top", "n2"), 15_000);
        Commands.Result gone = which(n4Process.split(" ")[0]);
        assertEquals(1, gone.exit(), "n4 is out of the view: " + gone.all());
        records("127.0.0.2", "127.0.0.4", "127.0.0.5");
        waitForHosts(Set.of("top", "n2", "n4"), 15_000);
        Commands.Result back = which(n4Process.split(" ")[0]);
        assertEquals(n4Process, back.out().strip(), "n4 came back under its index: its cluster pid names its process again (" + back.all() + ")");
        System.out.printf("DnsPeersIT: n4 left, came back and its cluster pid checked in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        dnsmasq.destroyForcibly();
        dnsmasq.waitFor();
        ClusterMountIT.waitFor(() -> status().contains("cannot resolve"), 15_000, "a failed lookup reported: " + status());
        Thread.sleep(3000);
        assertEquals(Set.of("top", "n2", "n4"), hosts(), "the last good set is kept");
        assertTrue(daemon.isAlive(), "the daemon is up");
    }
}
