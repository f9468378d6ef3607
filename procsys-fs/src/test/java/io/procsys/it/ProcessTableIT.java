package io.procsys.it;

import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.ClusterActions;
import io.procsys.fs.cluster.Peer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process tables (docs/process-table.md) with real agent processes: four `procsys agent`s, each
 * pid 1's child in a pid namespace of its own with 60 sleepers, combined by a mount in this JVM.
 * `ps -ef` through the mount lists every host's processes as the host's own `ps -ef` does, and
 * costs one table request per host plus a few others; a process that exits answers ENOENT.
 */
class ProcessTableIT {
    static final int HOSTS = 4;
    static final int SLEEPERS = 60;
    static final Duration DEADLINE = Duration.ofMillis(2000);
    static final Duration WINDOW = Duration.ofMillis(1500);
    static final List<Process> agents = new ArrayList<>();
    static Cluster cluster;
    static MountService service;
    static Path mount;

    /** Host i's sleepers sleep i*10000+k seconds: their command lines tell host and sleeper apart. */
    static String sleeper(int host, int k) {
        return "sleep " + (host * 10000 + k);
    }

    @BeforeAll
    static void start() throws Exception {
        List<Cluster.PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            int port = ClusterMountIT.freePortBelowEphemeralRange() + i * 7;
            String script = "i=1; while [ $i -le " + SLEEPERS + " ]; do sleep $((" + i * 10000 + " + i)) & i=$((i+1)); done; "
                    + "'" + Commands.launcher() + "' agent --listen 127.0.0.1:" + port + " --name h" + i + " --insecure";
            agents.add(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            peers.add(new Cluster.PeerAddress("h" + i, new InetSocketAddress("127.0.0.1", port)));
        }
        cluster = new Cluster("here", peers, null, DEADLINE, Duration.ZERO, WINDOW);
        mount = Files.createTempDirectory("procsys-tables-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(8);
        ClusterMountIT.superviseExecs(service);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 30_000, p.name() + " up");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : agents) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
        service.close();
        Files.deleteIfExists(mount);
    }

    /** The pid of host i's agent namespace's first process, seen from here (unshare's child). */
    static long namespaceInit(int host) {
        return agents.get(host - 1).children().findFirst().orElseThrow().pid();
    }

    /** `ps -ef` with {@code proc} bound over /proc, in a private mount namespace. */
    static List<String> psOver(Path proc) {
        Commands.Result r = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind '" + proc + "' /proc && exec ps -eo uid,pid,ppid,lstart,tty,args"), 60);
        assertEquals(0, r.exit(), r.all());
        return r.out().lines().skip(1).toList();
    }

    /** `ps` inside host i's own pid and mount namespace: the host's own view. */
    static List<String> psOnHost(int host) {
        Commands.Result r = Commands.run(List.of("nsenter", "-t", Long.toString(namespaceInit(host)), "-p", "-m",
                "ps", "-eo", "uid,pid,ppid,lstart,tty,args"), 60);
        assertEquals(0, r.exit(), r.all());
        return r.out().lines().skip(1).filter(l -> !l.contains("ps -eo")).toList();
    }

    /** A ps line of a process at {@code at}, its pid and ppid decoded from cluster pids to that host's own (through the mount's map). */
    static String decoded(String line, ClusterActions.Location at) {
        String[] f = line.strip().split("\\s+", 4);
        long ppid = Long.parseLong(f[2]);
        ClusterActions.Location parent = ClusterPids.where(cluster, ppid);
        assertTrue(parent == null ? ppid == 0 : parent.hostIndex() == at.hostIndex(), "a parent on the same host, or none: " + line);
        return f[0] + " " + at.localPid() + " " + (parent == null ? ppid : parent.localPid()) + " " + f[3];
    }

    static String normal(String line) {
        String[] f = line.strip().split("\\s+", 4);
        return f[0] + " " + f[1] + " " + f[2] + " " + f[3];
    }

    @Test
    void psThroughTheMountListsEveryHostAsItsOwnPsDoes() {
        // a table asks for the parts the pass before it read: after another tool's pass, ps's first
        // run may cost a second table (docs/process-table.md); a ps after a ps costs one
        psOver(mount);
        Map<String, Long> before = requests();
        List<String> lines = psOver(mount);
        Map<String, Long> after = requests();
        Map<Integer, Set<String>> byHost = new TreeMap<>();
        for (String line : lines) {
            ClusterActions.Location at = ClusterPids.where(cluster, Long.parseLong(line.strip().split("\\s+")[1]));
            if (at != null) byHost.computeIfAbsent(at.hostIndex(), h -> new TreeSet<>()).add(decoded(line, at));
        }
        assertTrue(lines.size() >= HOSTS * SLEEPERS, lines.size() + " lines");
        for (int host = 1; host <= HOSTS; host++) {
            Set<String> own = new TreeSet<>();
            for (String l : psOnHost(host)) own.add(normal(l));
            assertEquals(own, byHost.get(host), "host " + host);
            String prefix = " " + sleeper(host, 1).substring(0, 8);
            long sleepers = own.stream().filter(l -> l.contains(prefix)).count();
            assertTrue(sleepers >= SLEEPERS - 1, "host " + host + " has its sleepers (one may have been killed by another test): " + sleepers);
        }
        // one table per host, and a bounded number of other requests (combined files, boot time)
        for (Peer p : cluster.peers()) {
            long tables = p.status().tables() - before.get(p.name() + ".tables");
            long others = p.status().requests() - before.get(p.name()) - tables;
            assertEquals(1, tables, p.name() + " tables");
            assertTrue(others <= 8, p.name() + ": " + others + " requests besides the table, for " + lines.size() + " processes");
        }
        assertEquals(before.keySet(), after.keySet());
    }

    @Test
    void pstreeShowsEveryHostsProcessesWithNamespacesOnDemand() {
        psOver(mount); // a pass that reads no ns/: the next table is asked without them
        Map<String, Long> before = requests();
        Commands.Result r = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind '" + mount + "' /proc && exec pstree -p -a 0"), 60);
        assertEquals(0, r.exit(), r.all());
        System.out.println(r.out().lines().limit(12).reduce("pstree -p -a 0 over the mount (head):", (a, b) -> a + "\n" + b));
        Map<Integer, Long> sleepersByHost = new TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("sleep,(\\d+) (\\d+)").matcher(r.out());
        while (m.find()) {
            ClusterActions.Location at = ClusterPids.where(cluster, Long.parseLong(m.group(1))); // cluster pids are allocated, not computed
            int host = at == null ? 0 : Integer.parseInt(at.host().substring(1));
            if (host > 0 && m.group(2).startsWith(Integer.toString(host))) sleepersByHost.merge(host, 1L, Long::sum);
        }
        for (int host = 1; host <= HOSTS; host++) {
            long sleepers = sleepersByHost.getOrDefault(host, 0L);
            assertTrue(sleepers >= SLEEPERS - 1, "host " + host + "'s sleepers in pstree (one may have been killed by another test): " + sleepers);
        }
    }

    @Test
    void namespacesLeftOutOfATableComeInOneMoreTable() throws Exception {
        psOver(mount); // reads no ns/: the next table is asked without them
        Path init = mount.resolve(Long.toString(ClusterPids.listed(cluster, mount, "h1", 1)));
        Map<String, Long> before = requests();
        assertTrue(Files.readSymbolicLink(init.resolve("ns/pid")).toString().matches("pid:\\[\\d+]"));
        assertTrue(Files.readSymbolicLink(init.resolve("ns/net")).toString().matches("net:\\[\\d+]"));
        Map<String, Long> after = requests();
        assertEquals(before.get("h1.tables") + 1, after.get("h1.tables"), "one table with ns/");
        assertEquals(before.get("h1") + 1, after.get("h1"), "and no other request");
    }

    Map<String, Long> requests() {
        Map<String, Long> counts = new TreeMap<>();
        for (Peer p : cluster.peers()) {
            counts.put(p.name(), p.status().requests());
            counts.put(p.name() + ".tables", p.status().tables());
        }
        return counts;
    }

    /** The cluster pid of the sleeper running {@code command}, from a fresh listing of the root. */
    static long clusterPidOf(String command) throws IOException {
        try (var pids = Files.list(mount)) {
            for (Path p : pids.filter(p -> p.getFileName().toString().matches("\\d{7,}")).toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).replace('\0', ' ').strip().equals(command)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                } catch (NoSuchFileException gone) {
                    // another one ended meanwhile
                }
            }
        }
        throw new AssertionError(command + " not found");
    }

    static void kill(String command) throws Exception {
        Commands.Result r = Commands.run("pkill", "-x", "-f", command);
        assertEquals(0, r.exit(), r.all());
        // until its host no longer has it (dash, the namespace's init, reaps it)
        ClusterMountIT.waitFor(() -> Commands.run("pgrep", "-x", "-f", command).exit() == 1, 5_000, command + " gone");
    }

    @Test
    void aProcessThatExitsIsGoneForTheNextListing() throws Exception {
        String command = sleeper(2, 7);
        long pid = clusterPidOf(command);
        Path stat = mount.resolve(pid + "/stat");
        assertTrue(Files.readString(stat).contains("(sleep)"));
        kill(command);
        // listing the root again takes a new table: the process is not in it
        try (var s = Files.list(mount)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals(Long.toString(pid))));
        }
        assertThrows(NoSuchFileException.class, () -> Files.readString(stat));
    }

    @Test
    void aProcessThatExitsIsGoneOnceTheWindowEnds() throws Exception {
        String command = sleeper(3, 9);
        long pid = clusterPidOf(command);
        Path status = mount.resolve(pid + "/status");
        assertTrue(Files.readString(status).contains("sleep"));
        kill(command);
        Thread.sleep(WINDOW.toMillis() + 1100); // the window, and the kernel's 1 s entry cache
        assertThrows(NoSuchFileException.class, () -> Files.readString(status));
    }

    @Test
    void hostsDirectoryIsServedFromTheTable() throws Exception {
        long tables = cluster.peers().get(0).status().tables();
        List<String> names;
        try (var s = Files.list(mount.resolve("hosts/h1"))) {
            names = s.map(p -> p.getFileName().toString()).toList();
        }
        assertTrue(names.contains("meminfo") && names.contains("1"), names.toString());
        assertEquals(tables + 1, cluster.peers().get(0).status().tables());
        assertTrue(Files.readString(mount.resolve("hosts/h1/1/stat")).startsWith("1 ("));
        String nsPid = Files.readSymbolicLink(mount.resolve("hosts/h1/1/ns/pid")).toString();
        assertTrue(nsPid.matches("pid:\\[\\d+]"), nsPid);
        assertThrows(NoSuchFileException.class, () -> Files.readString(mount.resolve("hosts/h1/1/ctty")));
    }
}
