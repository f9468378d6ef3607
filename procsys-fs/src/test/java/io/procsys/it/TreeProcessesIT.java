package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every process of every level of a three-level tree, at the top (docs/scale.md). Each host is a
 * launcher process in a pid namespace of its own with its own sleepers:
 * <pre>
 *   top (procsys mount, this machine's /proc)
 *    └ rack  (procsys node --export combined)
 *       ├ mid (procsys node --export combined)
 *       │  ├ l1 (procsys agent)
 *       │  └ l2 (procsys agent)
 *       └ l3 (procsys agent)
 * </pre>
 * `ps -eo pid,ppid,args` at the top, every pid and ppid decoded by `procsys which` into its host
 * path (rack/mid/l1) and local pid, equals the union of every host's own `ps`; every cluster pid
 * is listed once. Deadlines nest: each level waits twice as long as the one below it.
 */
class TreeProcessesIT {
    static final int SLEEPERS = 20;
    /** Host → the names of the hosts below it, and how the top names each host. */
    static final Map<String, List<String>> BELOW = Map.of("rack", List.of("mid", "l3"), "mid", List.of("l1", "l2"));
    static final Map<String, String> PATH = Map.of("rack", "rack", "mid", "rack/mid", "l1", "rack/mid/l1", "l2", "rack/mid/l2", "l3", "rack/l3");
    static final Map<String, Integer> DEADLINE_MS = Map.of("mid", 1500, "rack", 3000);
    static final Map<String, Process> hosts = new LinkedHashMap<>();
    static final Map<String, Integer> ports = new HashMap<>();
    static Path mount;

    /** Host h's sleepers sleep (100000 * its number + k) seconds: command lines tell hosts apart. */
    static String sleepers(String host) {
        int n = List.of("rack", "mid", "l1", "l2", "l3").indexOf(host) + 1;
        return "i=1; while [ $i -le " + SLEEPERS + " ]; do sleep $((" + n * 100000 + " + i)) & i=$((i+1)); done; ";
    }

    /** Starts host {@code name} in a new pid (and mount) namespace: an agent, or a tree node over the hosts below it. */
    static void start(String name) throws Exception {
        int port = ports.get(name);
        String launcher = "'" + Commands.launcher() + "'";
        String serve;
        if (!BELOW.containsKey(name)) {
            serve = launcher + " agent --listen 127.0.0.1:" + port + " --name " + name + " --insecure";
        } else {
            StringBuilder peers = new StringBuilder();
            for (String b : BELOW.get(name)) peers.append(" --peer ").append(b).append("=127.0.0.1:").append(ports.get(b));
            serve = "mkdir -p " + nodeMount(name) + "; " + launcher + " node --export combined --listen 127.0.0.1:" + port + " --name " + name
                    + " --insecure --deadline-ms " + DEADLINE_MS.get(name) + peers + " " + nodeMount(name);
        }
        hosts.put(name, new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", sleepers(name) + serve)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** Where node {@code name} mounts its view (in its own mount namespace). */
    static Path nodeMount(String name) {
        return Path.of("/tmp/procsys-tree-it-" + name + "-" + ProcessHandle.current().pid());
    }

    @BeforeAll
    static void build() throws Exception {
        int base = ClusterMountIT.freePortBelowEphemeralRange();
        int i = 0;
        for (String h : List.of("l1", "l2", "l3", "mid", "rack")) ports.put(h, base + 11 * i++);
        for (String h : List.of("l1", "l2", "l3", "mid", "rack")) start(h);
        mount = Files.createTempDirectory("procsys-tree-ps-");
        Commands.Result r = Commands.procsys("mount", "--name", "top", "--insecure", "--deadline-ms", "6000",
                "--peer", "rack=127.0.0.1:" + ports.get("rack"), mount.toString());
        assertEquals(0, r.exit(), r.all());
        ClusterMountIT.waitFor(() -> Files.isDirectory(mount.resolve("hosts/rack/hosts/mid/hosts/l1/net")), 60_000, "the tree up to l1");
        ClusterMountIT.waitFor(() -> Files.isDirectory(mount.resolve("hosts/rack/hosts/mid/hosts/l2/net"))
                && Files.isDirectory(mount.resolve("hosts/rack/hosts/l3/net")), 30_000, "l2 and l3 up");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (mount != null) {
            Commands.procsys("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
        for (Process p : hosts.values()) {
            p.descendants().forEach(ProcessHandle::destroy); // a node unmounts on SIGTERM
            p.destroy();
        }
        for (Process p : hosts.values()) {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        for (String node : BELOW.keySet()) Files.deleteIfExists(nodeMount(node));
    }

    @Test
    void statusAndWhichWorkOnANodesOwnMount() {
        Commands.Result status = Commands.run(List.of("nsenter", "-t", Long.toString(namespaceInit("mid")), "-m", "-p",
                Commands.launcher().toString(), "status", nodeMount("mid").toString()), 60);
        assertEquals(0, status.exit(), status.all());
        assertTrue(status.out().contains("l1") && status.out().contains("l2"), status.out());
    }

    /** The pid of host {@code name}'s namespace's first process, seen from here (unshare's child). */
    static long namespaceInit(String name) {
        return hosts.get(name).children().findFirst().orElseThrow().pid();
    }

    /** `ps -eo pid,ppid,args` inside host {@code name}'s own namespaces: "pid ppid args" lines. */
    static Set<String> psOnHost(String name) {
        Commands.Result r = Commands.run(List.of("nsenter", "-t", Long.toString(namespaceInit(name)), "-p", "-m",
                "ps", "-eo", "pid=,ppid=,args="), 60);
        assertEquals(0, r.exit(), r.all());
        Set<String> out = new TreeSet<>();
        r.out().lines().filter(l -> !l.contains("ps -eo")).forEach(l -> out.add(name + " " + normal(l)));
        return out;
    }

    static String normal(String line) {
        String[] f = line.strip().split("\\s+", 3);
        return f[0] + " " + f[1] + " " + (f.length > 2 ? f[2] : "");
    }

    /** `ps -eo pid,ppid,args` with the mount bound over /proc, in a private mount namespace. */
    static List<String> psAtTop() {
        Commands.Result r = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind '" + mount + "' /proc && exec ps -eo pid=,ppid=,args="), 120);
        assertEquals(0, r.exit(), r.all());
        return r.out().lines().toList();
    }

    /** `procsys which` of every pid: cluster pid → "host-path local-pid". */
    static Map<Long, String> which(Set<Long> pids) {
        List<String> command = new ArrayList<>(List.of("which", "--mount", mount.toString()));
        for (long p : pids) command.add(Long.toString(p));
        Commands.Result r = Commands.procsys(command.toArray(String[]::new));
        Map<Long, String> out = new HashMap<>();
        for (String l : r.out().lines().toList()) {
            String[] f = l.split(" ");
            out.put(Long.parseLong(f[0]), f[1] + " " + f[2]);
        }
        return out;
    }

    @Test
    void psAtTheTopListsEveryProcessOfEveryLevelOnce() {
        psAtTop(); // the first listing names the hosts below each node; tables then carry what ps reads
        List<String> lines = psAtTop();
        List<Long> listed = lines.stream().map(l -> Long.parseLong(l.strip().split("\\s+")[0])).toList();
        assertEquals(listed.size(), new TreeSet<>(listed).size(), "every pid listed once");
        Set<Long> remote = new TreeSet<>();
        for (String l : lines) {
            String[] f = l.strip().split("\\s+", 3);
            for (int i = 0; i < 2; i++) if (Long.parseLong(f[i]) >= (1L << 22)) remote.add(Long.parseLong(f[i]));
        }
        Map<Long, String> where = which(remote);
        Map<String, String> hostOfPath = new HashMap<>();
        PATH.forEach((host, path) -> hostOfPath.put(path, host));
        Set<String> seen = new TreeSet<>();
        for (String l : lines) {
            String[] f = l.strip().split("\\s+", 3);
            long pid = Long.parseLong(f[0]), ppid = Long.parseLong(f[1]);
            if (pid < (1L << 22)) continue; // this machine's own
            String[] at = where.get(pid).split(" ");
            String host = hostOfPath.get(at[0]);
            assertTrue(host != null, "a host of the tree: " + at[0]);
            String parent;
            if (ppid == 0) parent = "0";
            else {
                String[] p = where.get(ppid).split(" ");
                assertEquals(at[0], p[0], "a parent on the same host: " + l);
                parent = p[1];
            }
            seen.add(host + " " + at[1] + " " + parent + " " + (f.length > 2 ? f[2] : ""));
        }
        for (String host : PATH.keySet()) {
            Set<String> own = psOnHost(host);
            Set<String> atTop = new TreeSet<>(seen.stream().filter(s -> s.startsWith(host + " ")).toList());
            assertEquals(own, atTop, host + " (" + PATH.get(host) + ") at the top against its own ps");
            assertTrue(own.stream().filter(s -> s.contains("sleep ")).count() >= SLEEPERS, host + " has its sleepers");
        }
        // pstree from each host's first process (its namespace's pid 1, a root of the cluster like kthreadd): its tree
        for (String host : PATH.keySet()) {
            long init = where.entrySet().stream().filter(e -> e.getValue().equals(PATH.get(host) + " 1"))
                    .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("pid 1 of " + host + " at the top"));
            Commands.Result tree = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind '" + mount + "' /proc && exec pstree -p " + init), 120);
            assertEquals(0, tree.exit(), tree.all());
            long sleepers = tree.out().split("sleep\\(", -1).length - 1;
            assertTrue(sleepers >= SLEEPERS, host + ": pstree -p " + init + " shows its " + SLEEPERS + " sleepers under its pid 1:\n" + tree.out());
        }
    }
}
