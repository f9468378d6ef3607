package io.procsys.it;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Tls;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acting on the cluster (README "Acting on the cluster") with real agents, each in a pid
 * namespace of its own with sleepers, and certificates from `procsys certs`: h1 runs
 * --allow-signals=root, h2 no --allow-signals, h3 --allow-signals (users only). Two mounts in
 * this JVM, one whose certificate carries the signal role, one whose does not; `procsys kill`
 * and `procsys which` run as separate processes, as root or (setpriv) as users nobody and daemon.
 */
class SignalsIT {
    static final int NOBODY = 65534, DAEMON = 1;
    static final List<Process> agents = new ArrayList<>();
    static final List<MountService> services = new ArrayList<>();
    static final List<ControlEndpoint> controls = new ArrayList<>();
    static Path certs, mount, mountWithoutRole;

    @BeforeAll
    static void start() throws Exception {
        certs = Files.createTempDirectory("procsys-signal-certs-");
        Files.delete(certs);
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "--allow-signals", "viewer", "viewer", "norole", "h1", "h2", "h3");
        assertEquals(0, made.exit(), made.all());
        String[] modes = {"--allow-signals=root", "", "--allow-signals"};
        List<Cluster.PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int port = ClusterMountIT.freePortBelowEphemeralRange() + 40 + i * 3;
            String script = "sleep " + (i * 1000 + 1) + " & sleep " + (i * 1000 + 2) + " & sleep " + (i * 1000 + 3) + " & "
                    + "setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups sleep " + (i * 1000 + 4) + " & "
                    + "exec '" + Commands.launcher() + "' agent --listen 127.0.0.1:" + port + " --name h" + i
                    + " --certs-dir '" + certs + "' --warmup 0 " + modes[i - 1];
            agents.add(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script)
                    .redirectErrorStream(true).redirectOutput(certs.resolve("agent-h" + i + ".log").toFile()).start());
            peers.add(new Cluster.PeerAddress("h" + i, new InetSocketAddress("127.0.0.1", port)));
        }
        mount = mountAs("viewer", peers);
        mountWithoutRole = mountAs("norole", peers);
    }

    static Path mountAs(String node, List<Cluster.PeerAddress> peers) throws Exception {
        var tls = Tls.client(new Tls.Credentials(certs.resolve(node + ".pem"), certs.resolve(node + "-key.pem"), certs.resolve("ca.pem")));
        Cluster cluster = new Cluster(node, peers, tls, Duration.ofMillis(2000), Duration.ZERO, Duration.ofMillis(300));
        Path at = Files.createTempDirectory("procsys-signals-");
        Files.setPosixFilePermissions(at, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        MountService service = MountService.mount(Path.of("/proc"), at, List.of("allow_other"), cluster);
        service.serveInBackground(4);
        services.add(service);
        controls.add(ControlEndpoint.start(service.mountpoint(), cluster, true));
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 60_000, node + ": " + p.name() + " up");
        return service.mountpoint();
    }

    @AfterAll
    static void stop() throws Exception {
        controls.forEach(ControlEndpoint::close);
        services.forEach(MountService::close);
        for (Process p : agents) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        for (MountService s : services) Files.deleteIfExists(s.mountpoint());
        try (var files = Files.walk(certs)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The cluster pid of the process whose command line is {@code command}, in a fresh listing of {@code at}. */
    static long clusterPid(Path at, String command) throws IOException {
        try (var pids = Files.list(at)) {
            for (Path p : pids.filter(p -> p.getFileName().toString().matches("\\d{7,}")).toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).replace('\0', ' ').strip().equals(command)) return Long.parseLong(p.getFileName().toString());
                } catch (NoSuchFileException gone) {
                    // ended meanwhile
                }
            }
        }
        throw new AssertionError(command + " not found under " + at);
    }

    static boolean alive(String command) {
        return Commands.run("pgrep", "-x", "-f", command).exit() == 0;
    }

    static Commands.Result kill(String... args) {
        List<String> command = new ArrayList<>(List.of(Commands.launcher().toString(), "kill"));
        command.addAll(List.of(args));
        return Commands.run(command, 60);
    }

    static Commands.Result killAs(int uid, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                Commands.launcherReachableByAnyone().toString(), "kill"));
        command.addAll(List.of(args));
        return Commands.run(command, 60);
    }

    static char state(Path at, long pid) throws IOException {
        String stat = Files.readString(at.resolve(pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
    }

    @Test
    void killEndsTheRemoteProcess() throws Exception {
        long pid = clusterPid(mount, "sleep 1001");
        assertTrue(alive("sleep 1001"));
        Commands.Result r = kill("--mount", mount.toString(), pid + "");
        assertEquals(0, r.exit(), r.all());
        ClusterMountIT.waitFor(() -> !alive("sleep 1001"), 5_000, "sleep 1001 ended");
    }

    @Test
    void stopThenContShowsInTheRemoteStat() throws Exception {
        long pid = clusterPid(mount, "sleep 1002");
        Commands.Result r = kill("--mount", mount.toString(), "-STOP", pid + "");
        assertEquals(0, r.exit(), r.all());
        ClusterMountIT.waitFor(() -> stateOf(pid) == 'T', 5_000, "stopped");
        r = kill("--mount", mount.toString(), "-s", "CONT", pid + "");
        assertEquals(0, r.exit(), r.all());
        ClusterMountIT.waitFor(() -> stateOf(pid) == 'S', 5_000, "running again");
    }

    static char stateOf(long pid) {
        try {
            return state(mount, pid);
        } catch (IOException e) {
            return '?';
        }
    }

    @Test
    void anAgentWithoutAllowSignalsRefuses() throws Exception {
        long pid = clusterPid(mount, "sleep 2001");
        Commands.Result r = kill("--mount", mount.toString(), "-KILL", pid + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        assertTrue(alive("sleep 2001"));
    }

    @Test
    void aCertificateWithoutTheRoleIsRefused() throws Exception {
        long pid = clusterPid(mountWithoutRole, "sleep 1003");
        Commands.Result r = kill("--mount", mountWithoutRole.toString(), "-9", pid + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        assertTrue(alive("sleep 1003"));
    }

    @Test
    void rootIsRootOnlyWhereTheAgentSaysRoot() throws Exception {
        long pid = clusterPid(mount, "sleep 3001");
        Commands.Result r = kill("--mount", mount.toString(), pid + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        assertTrue(alive("sleep 3001"));
    }

    @Test
    void aUserSignalsItsOwnProcessesOnly() throws Exception {
        long nobodys = clusterPid(mount, "sleep 3004");
        Commands.Result r = killAs(DAEMON, "--mount", mount.toString(), "-0", nobodys + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        r = killAs(DAEMON, "--mount", mount.toString(), nobodys + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(alive("sleep 3004"), "user daemon did not end nobody's process");
        r = killAs(NOBODY, "--mount", mount.toString(), "-0", nobodys + "");
        assertEquals(0, r.exit(), "nobody may check its own process: " + r.all());
    }

    @Test
    void badSignalsAndPidsAreOneLineErrors() throws Exception {
        long pid = clusterPid(mount, "sleep 1003");
        Commands.Result r = kill("--mount", mount.toString(), "-NOPE", pid + "");
        assertEquals(2, r.exit(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.all());
        r = kill("--mount", mount.toString(), "12x");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("not a pid"), r.all());
        r = kill("--mount", "/tmp", pid + "");
        assertTrue(r.err().contains("not a procsys mount"), r.all());
        r = kill("--mount", mount.toString(), Long.toString((200L << 22) + 5));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("No such process"), r.all());
        assertTrue(alive("sleep 1003"));
    }

    @Test
    void whichNamesTheHostAndItsPid() throws Exception {
        long pid = clusterPid(mount, "sleep 2002");
        Commands.Result r = Commands.procsys("which", "--mount", mount.toString(), pid + "");
        assertEquals(0, r.exit(), r.all());
        String[] f = r.out().strip().split(" ");
        assertEquals(pid + "", f[0]);
        assertEquals("h2", f[1]);
        assertEquals(pid - (2L << 22), Long.parseLong(f[2]));
    }

    /** Not a timed test: prints a forwarded signal 0's latency beside one plain round trip to the same agent. */
    @Test
    void latencyFigures() throws Exception {
        long pid = clusterPid(mount, "sleep 1003");
        Peer h1 = services.getFirst().cluster().peers().getFirst();
        var control = io.procsys.daemon.MountControl.connect(mount);
        int n = 300;
        for (int i = 0; i < 100; i++) {
            control.signal(0, pid, 0);
            h1.stat("uptime").join();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) assertEquals(0, control.signal(0, pid, 0));
        long forwarded = (System.nanoTime() - t0) / n;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) h1.stat("uptime").join();
        long plain = (System.nanoTime() - t0) / n;
        System.out.printf("signals: forwarded kill(0) through the control socket %d us, one plain round trip (stat) %d us%n",
                forwarded / 1000, plain / 1000);
    }
}
