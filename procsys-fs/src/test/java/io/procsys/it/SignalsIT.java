package io.procsys.it;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Tls;
import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.ProcessCalls;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acting on the cluster (README "Acting on the cluster") with real agents, each in a pid
 * namespace of its own with sleepers, and certificates from `procsys certs`: h1 runs
 * --allow-signals=root, h2 no --allow-signals, h3 --allow-signals (users only). Two mounts in
 * this JVM, one whose certificate carries the signal role, one whose does not; `procsys kill`
 * and `procsys which` run as separate processes, as root or (setpriv) as a user of the test
 * (procsys-user, a uid of 1000 or more) and as the service accounts nobody and daemon.
 */
class SignalsIT {
    static final int NOBODY = 65534, DAEMON = 1;
    /** A user the agents act for (at or above --act-min-uid), made for the test. */
    static int USER;
    static final List<Process> agents = new ArrayList<>();
    static final List<MountService> services = new ArrayList<>();
    static final List<ControlEndpoint> controls = new ArrayList<>();
    static Path certs, mount, mountWithoutRole;

    /** Agents act through pidfd_open and pidfd_send_signal (Linux 5.3), with no fallback: say so where they are missing. */
    static void requirePidfd() {
        int pidfd = ProcessCalls.pidfdOpen((int) ProcessHandle.current().pid());
        int sent = pidfd < 0 ? pidfd : ProcessCalls.pidfdSendSignal(pidfd, 0);
        if (pidfd >= 0) Libc.close(pidfd);
        assertTrue(sent == 0, (pidfd < 0 ? "pidfd_open" : "pidfd_send_signal") + " answers " + Errno.name(-sent)
                + " on this machine (a kernel before 5.3, or a sandbox): agents act on processes only through it");
    }

    /**
     * This class finds its sleepers by command line on the whole machine (pgrep, pkill -f): a
     * process of another run or user with one of those command lines would be taken for them.
     */
    static void requireNoStrayProcesses() {
        Commands.Result r = Commands.run("pgrep", "-a", "-x", "-f", "sleep ([123]0(0[1-5]|1[1-7])|424[234]|[15]018)");
        assertTrue(r.exit() == 1, "processes with the command lines SignalsIT gives its sleepers already run on this machine: "
                + r.out().strip().replace('\n', ';'));
    }

    @BeforeAll
    static void start() throws Exception {
        requirePidfd();
        requireNoStrayProcesses();
        USER = LocalUser.regular();
        certs = Files.createTempDirectory("procsys-signal-certs-");
        Files.delete(certs);
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "--allow-signals", "viewer", "viewer", "norole", "h1", "h2", "h3");
        assertEquals(0, made.exit(), made.all());
        String[] modes = {"--allow-signals=root", "", "--allow-signals"};
        List<Cluster.PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int port = ClusterMountIT.freePortBelowEphemeralRange() + 40 + i * 3;
            String script = "sleep " + (i * 1000 + 1) + " & sleep " + (i * 1000 + 2) + " & sleep " + (i * 1000 + 3) + " & "
                    + "setpriv --reuid=" + USER + " --regid=" + USER + " --clear-groups sleep " + (i * 1000 + 4) + " & "
                    + "setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups sleep " + (i * 1000 + 5) + " & "
                    // for the tools run through procsys exec (below)
                    + "for n in 11 12 13 14 15 16 17; do sleep $((" + i * 1000 + " + n)) & done; "
                    + (i != 2 ? "setpriv --reuid=" + USER + " --regid=" + USER + " --clear-groups sleep 4242 & " : "")
                    + "setpriv --reuid=" + USER + " --regid=" + USER + " --clear-groups sleep 4243 & "
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
        Cluster cluster = new Cluster(node, peers, tls, Duration.ofMillis(2000), Duration.ZERO, Duration.ofMillis(300))
                .actionDeadline(ACTION_DEADLINE);
        Path at = Files.createTempDirectory("procsys-signals-");
        Files.setPosixFilePermissions(at, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        MountService service = MountService.mount(Path.of("/proc"), at, List.of("allow_other"), cluster);
        service.serveInBackground(4);
        ClusterMountIT.superviseExecs(service);
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
        long users = clusterPid(mount, "sleep 3004");
        Commands.Result r = killAs(DAEMON, "--mount", mount.toString(), "-0", users + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        r = killAs(DAEMON, "--mount", mount.toString(), users + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(alive("sleep 3004"), "user daemon did not end the user's process");
        r = killAs(USER, "--mount", mount.toString(), "-0", users + "");
        assertEquals(0, r.exit(), "the user may check its own process: " + r.all());
    }

    /** nobody, www-data and the like share a name on every host without being one user: none acts anywhere (--act-min-uid). */
    @Test
    void aServiceAccountActsOnNoHost() throws Exception {
        long nobodys = clusterPid(mount, "sleep 3005");
        Commands.Result r = killAs(NOBODY, "--mount", mount.toString(), "-0", nobodys + "");
        assertEquals(1, r.exit(), "nobody's own process, refused: " + r.all());
        assertTrue(r.err().contains("Operation not permitted"), r.all());
        r = killAs(NOBODY, "--mount", mount.toString(), nobodys + "");
        assertEquals(1, r.exit(), r.all());
        assertTrue(alive("sleep 3005"), "nobody's process lives on");
        assertTrue(Files.readString(certs.resolve("agent-h3.log")).contains("service account"), "the agent says why");
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
        r = kill("--mount", mount.toString(), Long.toString((1L << 30) - 1)); // a cluster pid the mount never handed out
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("No such process"), r.all());
        assertTrue(alive("sleep 1003"));
    }

    @Test
    void whichNamesTheHostAndItsPid() throws Exception {
        long pid = clusterPid(mount, "sleep 2002");
        assertEquals(List.of(pid + "", "h2", namespacePid("sleep 2002") + ""), which(pid));
    }

    /** `procsys which` of {@code pid} on the mount: its words (cluster pid, host, local pid). */
    static List<String> which(long pid) {
        Commands.Result r = Commands.procsys("which", "--mount", mount.toString(), pid + "");
        assertEquals(0, r.exit(), r.all());
        return List.of(r.out().strip().split(" "));
    }

    // ---- the same, through the tools themselves under `procsys exec` (their calls intercepted) ----

    /** The pid in its own namespace (the last NSpid) of the one host process running {@code command}. */
    static int namespacePid(String command) throws IOException {
        String hostPid = Commands.run("pgrep", "-x", "-f", command).out().strip();
        String nspid = Files.readString(Path.of("/proc", hostPid, "status")).lines().filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
        String[] f = nspid.split("\\s+");
        return Integer.parseInt(f[f.length - 1]);
    }

    /**
     * Starts {@code sleep SECONDS} in h1's pid namespace as pid {@code pid} there (ns_last_pid);
     * whether it got that pid (a thread of the agent may take it first).
     */
    static boolean sleepInH1As(int pid, int seconds) throws Exception {
        long h1 = agents.getFirst().children().findFirst().orElseThrow().pid(); // unshare's child: pid 1 of h1's namespace
        // the shell waits for its sleep, so the pid is freed (reaped) when the sleep is killed
        new ProcessBuilder("nsenter", "--target", Long.toString(h1), "--pid", "--mount", "--", "sh", "-c",
                "echo " + (pid - 1) + " > /proc/sys/kernel/ns_last_pid; sleep " + seconds + " & wait")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ClusterMountIT.waitFor(() -> alive("sleep " + seconds), 5_000, "sleep " + seconds + " started");
        if (namespacePid("sleep " + seconds) == pid) return true;
        Commands.run("pkill", "-x", "-f", "sleep " + seconds);
        return false;
    }

    /**
     * A pid reused since the listing: the process `ps` showed ended, and a new one took its pid on
     * that host. The signal must answer ESRCH and never reach the new process.
     */
    @Test
    void aPidReusedSinceTheListingIsNotSignalled() throws Exception {
        int local = 30_000;
        while (!sleepInH1As(local, 1018)) local += 100; // far above the pids the agent's threads take
        long pid = clusterPid(mount, "sleep 1018"); // the listing: what the user saw
        assertEquals(List.of(pid + "", "h1", local + ""), which(pid));
        assertEquals(0, Commands.run("pkill", "-x", "-f", "sleep 1018").exit());
        ClusterMountIT.waitFor(() -> !alive("sleep 1018"), 5_000, "sleep 1018 ended");
        assertTrue(sleepInH1As(local, 5018), "a new process took pid " + local + " in h1's namespace");
        try {
            Commands.Result r = kill("--mount", mount.toString(), pid + "");
            assertEquals(1, r.exit(), r.all());
            assertTrue(r.err().contains("No such process"), r.all());
            assertTrue(alive("sleep 5018"), "the new process with the old pid was not touched");
            long reused = clusterPid(mount, "sleep 5018");
            assertNotEquals(pid, reused, "a new listing shows the new process under a new cluster pid");
            assertEquals(List.of(reused + "", "h1", local + ""), which(reused));
            r = kill("--mount", mount.toString(), pid + "");
            assertTrue(r.exit() == 1 && r.err().contains("No such process"), "the old cluster pid still names the old process: " + r.all());
            assertTrue(alive("sleep 5018"));
        } finally {
            Commands.run("pkill", "-x", "-f", "sleep 5018");
        }
    }

    /** {@code tool...} through `procsys exec --mount` the mount whose certificate has the role. */
    static final Duration ACTION_DEADLINE = Duration.ofSeconds(3);

    /** The agent JVM of host {@code host} (the process the launcher became in its namespace). */
    static ProcessHandle agentOf(int host) {
        return agents.get(host - 1).descendants().filter(p -> p.info().commandLine().orElse("").contains(" agent "))
                .findFirst().orElseThrow(() -> new AssertionError("no agent process for h" + host));
    }

    @Test
    void anActionToAStoppedAgentIsEagainAtTheActionDeadlineNeverEtimedout() throws Exception {
        long pid = clusterPid(mount, "sleep 1017"); // h1's: its agent lets root signal
        ProcessHandle agent = agentOf(1);
        assertEquals(0, Commands.run("kill", "-STOP", agent.pid() + "").exit());
        try {
            long t0 = System.nanoTime();
            // what psutil.pid_exists does: kill(pid, 0); it raised TimeoutError on ETIMEDOUT
            Commands.Result r = exec("/usr/bin/python3", "-c", "import os, errno\ntry:\n    os.kill(" + pid + ", 0); print('alive')\n"
                    + "except OSError as e:\n    print(errno.errorcode[e.errno])");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exit(), r.all());
            assertEquals("EAGAIN", r.out().strip(), r.all());
            assertTrue(millis >= ACTION_DEADLINE.toMillis(), "answered after the action deadline, not the read deadline: " + millis + " ms");
            Commands.Result k = kill("--mount", mount.toString(), "-0", pid + "");
            assertEquals(1, k.exit(), k.all());
            assertTrue(k.err().contains("Resource temporarily unavailable") || k.err().contains("EAGAIN"), k.all());
        } finally {
            Commands.run("kill", "-CONT", agent.pid() + "");
        }
        Commands.Result[] last = new Commands.Result[1];
        try {
            ClusterMountIT.waitFor(() -> (last[0] = kill("--mount", mount.toString(), "-0", pid + "")).exit() == 0, 30_000, "h2 answers actions again");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last[0].all(), e);
        }
        assertTrue(alive("sleep 1017"), "a check only");
    }

    static Commands.Result exec(String... tool) {
        List<String> command = new ArrayList<>(List.of(Commands.launcher().toString(), "exec", "--mount", mount.toString(), "--"));
        command.addAll(List.of(tool));
        return Commands.run(command, 120);
    }

    static List<String> asUser(String... tool) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups"));
        command.addAll(List.of(tool));
        return command;
    }

    @Test
    void execKillEndsTheRemoteProcess() throws Exception {
        long pid = clusterPid(mount, "sleep 1011");
        Commands.Result r = exec("kill", pid + "");
        assertEquals(0, r.exit(), r.all());
        ClusterMountIT.waitFor(() -> !alive("sleep 1011"), 5_000, "sleep 1011 ended by kill(1)");
        r = exec("kill", "-9", clusterPid(mount, "sleep 2011") + "");
        assertTrue(r.exit() != 0 && r.err().contains("Operation not permitted"), "h2 refuses: " + r.all());
        assertTrue(alive("sleep 2011"));
    }

    @Test
    void execStopThenContShowsInTheRemoteStat() throws Exception {
        long pid = clusterPid(mount, "sleep 1012");
        assertEquals(0, exec("kill", "-STOP", pid + "").exit());
        ClusterMountIT.waitFor(() -> stateOf(pid) == 'T', 5_000, "stopped");
        assertEquals(0, exec("kill", "-CONT", pid + "").exit());
        ClusterMountIT.waitFor(() -> stateOf(pid) == 'S', 5_000, "running again");
    }

    /** pkill finds matches on every host through /proc and ends them: remote ones forwarded, local ones by the kernel. */
    @Test
    void execPkillEndsTheMatchesOnEveryHostAndNoOthers() throws Exception {
        Process local = new ProcessBuilder(asUser("sleep", "4242")).start();
        Process other = new ProcessBuilder(asUser("sleep", "4244")).start();
        try {
            ClusterMountIT.waitFor(() -> Commands.run("pgrep", "-c", "-x", "-f", "sleep 4242").out().strip().equals("3"), 5_000, "3 matches");
            List<String> pkill = asUser("pkill", "-f", "sleep 424[2]"); // the pattern does not match its own command line
            Commands.Result r = exec(pkill.toArray(String[]::new));
            assertEquals(0, r.exit(), r.all());
            ClusterMountIT.waitFor(() -> !alive("sleep 4242"), 5_000, "every sleep 4242 ended (h1, h3 and this host)");
            assertTrue(local.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(3, Integer.parseInt(Commands.run("pgrep", "-c", "-x", "-f", "sleep 4243").out().strip()), "every host's sleep 4243 untouched");
            assertTrue(other.isAlive() && alive("sleep 2012"), "no others");
        } finally {
            local.destroyForcibly();
            other.destroyForcibly();
        }
    }

    /** A terminal tool under tmux: keys sent, the screen read until {@code done} holds. */
    static void underTmux(String name, String tool, List<List<String>> keys, java.util.function.BooleanSupplier done) throws Exception {
        String session = "procsys-" + name + "-" + ProcessHandle.current().pid();
        Commands.Result started = Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                Commands.launcher() + " exec --mount " + mount + " -- " + tool), 30);
        assertEquals(0, started.exit(), started.all());
        try {
            String screen = "";
            for (List<String> step : keys) {
                for (int i = 0; i < 50 && !screen.contains(step.getFirst()); i++) {
                    Thread.sleep(200);
                    screen = Commands.run("tmux", "capture-pane", "-p", "-t", session).out();
                }
                assertTrue(screen.contains(step.getFirst()), "waiting for '" + step.getFirst() + "':\n" + screen);
                List<String> send = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
                send.addAll(step.subList(1, step.size()));
                Commands.run(send.toArray(String[]::new));
                screen = "";
                Thread.sleep(300);
            }
            ClusterMountIT.waitFor(done, 10_000, name + " ended the process");
        } finally {
            Commands.run("tmux", "kill-session", "-t", session);
        }
    }

    @Test
    void topsKEndsARemoteProcess() throws Exception {
        long pid = clusterPid(mount, "sleep 1013");
        underTmux("top", "top -p " + pid, List.of(
                List.of(Long.toString(pid), "k"),
                List.of("PID to signal", Long.toString(pid), "Enter"),
                List.of("signal", "Enter")), () -> !alive("sleep 1013"));
    }

    @Test
    void htopsF9EndsARemoteProcess() throws Exception {
        long pid = clusterPid(mount, "sleep 1014");
        underTmux("htop", "htop -p " + pid, List.of(
                List.of("sleep 1014", "F9"),
                List.of("Send signal", "Enter")), () -> !alive("sleep 1014"));
    }

    @Test
    void psutilSeesAndEndsARemoteProcess() throws Exception {
        long pid = clusterPid(mount, "sleep 1015");
        Commands.Result r = exec("/usr/bin/python3", "-c", "import psutil; g = " + pid + "; p = psutil.Process(g); "
                + "print(psutil.pid_exists(g), p.nice(), len(p.cpu_affinity()) > 0, p.ionice().ioclass is not None); p.terminate()");
        assertEquals(0, r.exit(), r.all());
        assertEquals("True 0 True True", r.out().strip(), r.all());
        ClusterMountIT.waitFor(() -> !alive("sleep 1015"), 5_000, "terminated");
    }

    @Test
    void reniceChangesTheRemoteNiceWhereTheAgentAllowsIt() throws Exception {
        long allowed = clusterPid(mount, "sleep 1016");
        Commands.Result r = exec("renice", "+5", "-p", allowed + "");
        assertEquals(0, r.exit(), r.all());
        assertEquals("5", stat(allowed)[19 - 3], "nice of h1's process");
        long refused = clusterPid(mount, "sleep 2016");
        r = exec("renice", "+5", "-p", refused + "");
        assertTrue(r.exit() != 0 && r.err().contains("Operation not permitted"), "h2 refuses: " + r.all());
        assertEquals("0", stat(refused)[19 - 3], "nice of h2's process unchanged");
    }

    /** glances counts processes with psutil, which drops any whose pid-naming calls fail: every pid directory must count. */
    @Test
    void glancesCountsEveryProcessOfTheView() throws Exception {
        Commands.Result r = exec("glances", "--stdout", "processcount.total", "--stop-after", "1");
        assertEquals(0, r.exit(), r.all());
        long shown = Long.parseLong(r.out().strip().lines().reduce((a, b) -> b).orElseThrow().replaceAll(".*[: ]", ""));
        long listed;
        try (var pids = Files.list(mount)) {
            listed = pids.filter(p -> p.getFileName().toString().matches("\\d+")).count();
        }
        assertTrue(Math.abs(shown - listed) <= 3, "glances counted " + shown + " of " + listed + " pid directories: " + r.all());
    }

    /** The fields of a process's stat after the command name (field 3 on: state is index 0). */
    static String[] stat(long pid) throws IOException {
        String stat = Files.readString(mount.resolve(pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
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
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) control.which(pid);
        long socket = (System.nanoTime() - t0) / n;
        var actions = services.getFirst().cluster().actions();
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) assertEquals(0, actions.signal(pid, 0, "root", 0).join());
        long inMount = (System.nanoTime() - t0) / n;
        System.out.printf("signals: forwarded kill(0) through the control socket %d us (of which: the socket alone, `which`, %d us;"
                + " the mount's forwarding alone %d us), one plain round trip (stat) %d us%n", forwarded / 1000, socket / 1000, inMount / 1000, plain / 1000);
    }
}
