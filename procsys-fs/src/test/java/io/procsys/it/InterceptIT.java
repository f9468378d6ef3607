package io.procsys.it;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.daemon.RemoteActions;
import io.procsys.daemon.MountControl;
import io.procsys.daemon.intercept.InterceptEndpoint;
import io.procsys.daemon.intercept.Interception;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.agent.Agent;
import io.procsys.posix.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The calls `procsys exec` intercepts on a cluster view of this host (index 0), the local-a
 * fixture (h1, 2 CPUs) and this host's /proc again through an agent (h2, whose processes are
 * remote cluster pids, ≥ 2^22): through the real command, and through
 * {@link Interception} in this JVM with a fake {@link RemoteActions}.
 */
class InterceptIT {
    static final Path FIXTURES = Path.of("src/test/data/hosts").toAbsolutePath();
    static final String PYTHON = "/usr/bin/python3";
    static final List<Agent> agents = new ArrayList<>();
    static MountService service;
    /** The mount's control socket, as `procsys mount` starts one: it says whose a cluster pid is. */
    static ControlEndpoint control;
    static Path mount;
    static Process sleeper;
    static int gpid;
    static Cluster cluster;
    /** The daemon's exec supervisor, as `procsys mount` starts it: the launcher's execs start no JVM. */
    static InterceptEndpoint intercept;
    static final Path INSTALLER = Path.of("src/main/python/intercept-exec.py").toAbsolutePath();

    @BeforeAll
    static void start() throws Exception {
        Agent h1 = ClusterMountIT.agent("h1", FIXTURES.resolve("local-a"), 0), h2 = ClusterMountIT.agent("h2", Path.of("/proc"), 0);
        agents.addAll(List.of(h1, h2));
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("h1", h1.address()),
                new Cluster.PeerAddress("h2", h2.address())), null, Duration.ofMillis(2000));
        mount = Files.createTempDirectory("procsys-intercept-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(4);
        control = ControlEndpoint.start(service.mountpoint(), cluster, false);
        intercept = InterceptEndpoint.start(service.mountpoint(), MountControl.inProcess(cluster));
        service.closeFirst(intercept);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 5_000, p.name() + " up");
        sleeper = new ProcessBuilder("taskset", "-c", "0", "nice", "-n", "7", "sleep", "600").start();
        ClusterMountIT.waitFor(() -> read("/proc/" + sleeper.pid() + "/comm").equals("sleep\n"), 5_000, "the sleeper");
        gpid = (int) ClusterPids.listed(cluster, mount, "h2", sleeper.pid()); // h2 exports this host's /proc
        ClusterMountIT.waitFor(() -> Files.exists(mount.resolve(gpid + "/stat")), 5_000, "the sleeper in the view");
    }

    @AfterAll
    static void stop() throws IOException {
        if (sleeper != null) sleeper.destroyForcibly();
        if (control != null) control.close();
        if (service != null) service.close();
        agents.forEach(Agent::close);
        Files.deleteIfExists(mount);
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    static long combinedKb(String key) {
        return read(mount + "/meminfo").lines().filter(l -> l.startsWith(key + ":"))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElseThrow();
    }

    static Commands.Result exec(String... tool) {
        Commands.Result r = Commands.throughMirror(mount, tool);
        assertEquals(0, r.exit(), String.join(" ", tool) + ": " + r.all());
        return r;
    }

    @Test
    void busyboxFreeShowsTheCombinedMemory() {
        String[] mem = exec("busybox", "free").out().lines().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().split("\\s+");
        assertEquals(combinedKb("MemTotal"), Long.parseLong(mem[1]));
        String[] local = Commands.run("busybox", "free").out().lines().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().split("\\s+");
        assertTrue(Long.parseLong(mem[1]) > Long.parseLong(local[1]), "more than this host");
    }

    @Test
    void sysconfPhysPagesIsTheCombinedMemTotal() {
        String out = exec(PYTHON, "-c", "import os; print(os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE'))").out().strip();
        long pageSize = 4096;
        assertEquals(combinedKb("MemTotal") * 1024 / pageSize * pageSize, Long.parseLong(out));
    }

    @Test
    void busyboxUptimeShowsTheCombinedUptimeAndLoads() {
        long before = (long) Math.ceil(Double.parseDouble(read(mount + "/uptime").split(" ")[0]));
        String out = exec("busybox", "uptime").out();
        long after = (long) Math.ceil(Double.parseDouble(read(mount + "/uptime").split(" ")[0]));
        assertTrue(out.contains(upText(before)) || out.contains(upText(after)), out + " vs " + upText(before));
        double load = Double.parseDouble(out.substring(out.indexOf("load average: ") + 14).split(",")[0]);
        double combined = Double.parseDouble(read(mount + "/loadavg").split(" ")[0]);
        assertEquals(combined, load, 1.0, out);
    }

    /** busybox's "up ..." text for an uptime in seconds. */
    static String upText(long seconds) {
        long days = seconds / 86400, minutes = seconds / 60, hours = (minutes / 60) % 24;
        minutes %= 60;
        return "up " + (days > 0 ? days + " day" + (days != 1 ? "s" : "") + ", " : "")
                + (hours > 0 ? String.format("%2d:%02d", hours, minutes) : minutes + " min");
    }

    @Test
    void psutilAnswersNiceAndAffinityOfARemoteProcess() {
        // this host's CPUs as the mount numbers them (its /proc/stat), not the JVM's count, which a
        // cgroup CPU limit or an affinity mask (taskset, a container's cpuset) makes smaller
        long localCpus = read("/proc/stat").lines().filter(l -> l.matches("cpu[0-9]+ .*")).count();
        String out = exec(PYTHON, "-c", "import psutil; p = psutil.Process(" + gpid + "); print(p.nice(), p.cpu_affinity())").out().strip();
        assertEquals("7 [" + (localCpus + 2) + "]", out, "nice 7; CPU 0 of h2 follows this host's and h1's 2");
    }

    /**
     * The JVM of an intercepting exec links one native call, syscall(2), for the filter, the
     * supervisor's poll, ioctl and tgkill, and the caller's uid alike, and none of Libc's: FFM makes
     * each downcall's stub at run time, ~25 ms of that JVM's start (BENCHMARKS.md "exec on a
     * cluster view"). The command makes trapped calls (sysinfo, kill of a remote pid), so the
     * supervisor's own calls are all made.
     */
    @Test
    void withoutPython3TheInterceptingJvmLinksOneDowncall() throws Exception {
        Path classes = Files.createTempFile("procsys-exec-classes", ".txt");
        try {
            // where python3 is missing, a JVM installs the filter and supervises, as before, and says so once
            Commands.Result r = Commands.run(List.of("env", "PROCSYS_JAVA_OPTS=-Xlog:class+load:file=" + classes, "PROCSYS_PYTHON=/nonexistent/python3",
                    Commands.launcher().toString(), "exec", "--mount", mount.toString(), "--", "sh", "-c",
                    "kill -0 " + gpid + " 2>/dev/null; busybox free"), 60);
            assertEquals(0, r.exit(), r.all());
            assertEquals(List.of("procsys: no python3 (/nonexistent/python3): starting a JVM to intercept CMD's calls"), r.err().lines().toList());
            String[] mem = r.out().lines().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().split("\\s+");
            assertEquals(combinedKb("MemTotal"), Long.parseLong(mem[1]), "sysinfo was answered: " + r.all());
            List<String> loaded = Files.readAllLines(classes);
            assertTrue(loaded.stream().anyMatch(l -> l.contains(" io.procsys.daemon.intercept.Supervisor ")), "the supervisor ran");
            assertEquals(1, loaded.stream().filter(l -> l.contains("jdk.internal.foreign.abi.DowncallStub")).count(),
                    "one downcall stub: " + loaded.stream().filter(l -> l.contains("DowncallStub")).toList());
            assertEquals(List.of(), loaded.stream().filter(l -> l.contains(" io.procsys.posix.Libc ")).toList(), "no Libc handles");
        } finally {
            Files.deleteIfExists(classes);
        }
    }

    @Test
    void aLocalKillIsUntouched() throws Exception {
        Process local = new ProcessBuilder("sleep", "600").start();
        try {
            exec("kill", "-TERM", Long.toString(local.pid()));
            assertTrue(local.waitFor(5, TimeUnit.SECONDS), "the local sleeper got SIGTERM");
        } finally {
            local.destroyForcibly();
        }
    }

    @Test
    void withoutAFakeARemoteKillIsRefusedAsBefore() {
        Commands.Result r = Commands.throughMirror(mount, "kill", "-0", Integer.toString(gpid));
        assertTrue(r.exit() != 0, r.all());
    }

    /** Forwarded requests, recorded by the fake. */
    static final ConcurrentLinkedQueue<String> forwarded = new ConcurrentLinkedQueue<>();
    static final RemoteActions FAKE = new RemoteActions() {
        @Override
        public int signal(int uid, long pid, int signal) {
            forwarded.add("signal " + uid + " " + pid + " " + signal);
            return pid == gpid ? 0 : Errno.ESRCH;
        }

        @Override
        public int setPriority(int uid, long pid, int nice) {
            forwarded.add("setpriority " + uid + " " + pid + " " + nice);
            return 0;
        }

        @Override
        public int ioprioGet(int uid, long pid) {
            return (2 << 13) | 4;
        }
    };

    /** Runs a python program under the filter in this JVM, with the fake: its output. */
    static String underFilter(String program) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(PYTHON, "-c", program).redirectErrorStream(true);
        try (Interception interception = Interception.start(builder, mount, FAKE)) {
            Process p = interception.process();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            return out;
        }
    }

    static final String LIBC = "import ctypes, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            + "def call(f, *a):\n    r = f(*a)\n    return r if r >= 0 else -ctypes.get_errno()\n"
            + "SYS_tgkill, SYS_pidfd_open = 234, 434\n";

    @Test
    void killOfARemotePidReachesTheFakeWithTheCallersUid() throws Exception {
        forwarded.clear();
        String out = underFilter(LIBC + "print(call(libc.kill, " + gpid + ", 0), call(libc.kill, " + (gpid + 1) + ", 15), "
                + "call(libc.syscall, SYS_tgkill, " + gpid + ", " + gpid + ", 10), call(libc.kill, -" + gpid + ", 9), "
                + "call(libc.syscall, SYS_pidfd_open, " + gpid + ", 0), call(libc.setpriority, 0, " + gpid + ", 3), "
                + "call(libc.kill, os.getpid(), 0))");
        assertEquals("0 -3 0 -3 -38 0 0", out.strip(), "kill, ESRCH from the fake, tgkill, a group (not forwarded), pidfd_open ENOSYS, setpriority, a local kill");
        assertEquals(List.of("signal 0 " + gpid + " 0", "signal 0 " + (gpid + 1) + " 15", "signal 0 " + gpid + " 10",
                "setpriority 0 " + gpid + " 3"), List.copyOf(forwarded));
    }

    @Test
    void psutilIoniceAndPidExistsUnderTheFilter() throws Exception {
        forwarded.clear();
        String out = underFilter("import psutil; psutil.PROCFS_PATH = '" + mount + "'; p = psutil.Process(" + gpid + "); print(p.ionice().ioclass, p.ionice().value, psutil.pid_exists(" + gpid + "))");
        assertEquals("2 4 True", out.strip());
    }

    /**
     * 10 000 kill(gpid, 0) under the filter against the fake, and kill(local, 0) for comparison:
     * microseconds per call, printed (a figure for BENCHMARKS.md, not a timed test: it asserts
     * only that every trapped call was answered).
     */
    @Test
    void trappedCallFigures() throws Exception {
        String out = underFilter(LIBC + "def loop(pid):\n    t = time.perf_counter()\n    for _ in range(10000):\n"
                + "        assert libc.kill(pid, 0) == 0\n    return (time.perf_counter() - t) / 10000 * 1e6\n"
                + "loop(" + gpid + ")\nprint('%.1f %.1f' % (loop(" + gpid + "), loop(os.getpid())))");
        String[] us = out.strip().split(" ");
        System.out.println("InterceptIT: kill(gpid, 0) under the filter with a fake: " + us[0] + " us/call; a local kill(pid, 0): " + us[1] + " us/call");
        assertEquals(2, us.length, out);
    }

    // --- the road with no JVM: the daemon supervises (InterceptEndpoint), intercept-exec.py sets up ---

    /**
     * The launcher execs all the way into CMD: the command is the very process the caller started
     * (no JVM, nothing between), its trapped sysinfo is answered by the daemon, and it runs in the
     * cluster's stand-in network with the /sys views bound.
     */
    @Test
    void execStartsNoJvmTheCommandIsTheCallersOwnProcess() throws Exception {
        Process p = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", mount.toString(), "--", "sh", "-c",
                "echo $$; busybox free; readlink /proc/self/ns/net; cat /sys/devices/system/cpu/online").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(Long.toString(p.pid()), lines.get(0), "CMD is the launcher's process: " + out);
        String[] mem = lines.stream().filter(l -> l.startsWith("Mem:")).findFirst().orElseThrow().split("\\s+");
        assertEquals(combinedKb("MemTotal"), Long.parseLong(mem[1]), "sysinfo answered by the daemon: " + out);
        assertTrue(!out.contains(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString()), "the stand-in network, not this one: " + out);
        long cpus = read(mount + "/stat").lines().filter(l -> l.matches("cpu[0-9]+ .*")).count();
        assertEquals("0-" + (cpus - 1), lines.getLast(), "the cluster's CPUs in /sys: " + out);
    }

    @Test
    void exitStatusAndSignalsOfTheCommandPassThrough() {
        assertEquals(7, Commands.throughMirror(mount, "sh", "-c", "exit 7").exit());
        assertEquals(128 + 15, Commands.throughMirror(mount, "sh", "-c", "kill -TERM $$").exit());
        // signals ignored by the set-up (python3 ignores SIGPIPE and SIGXFSZ) are not CMD's: `exec -- ps | head` ends ps
        assertEquals(Commands.run("grep", "SigIgn", "/proc/self/status").out(), Commands.throughMirror(mount, "grep", "SigIgn", "/proc/self/status").out());
        assertEquals("141", Commands.throughMirror(mount, "bash", "-c", "yes | head -1 >/dev/null; echo ${PIPESTATUS[0]}").out().strip(), "yes ended by SIGPIPE");
        Commands.Result missing = Commands.throughMirror(mount, "no-such-command-here");
        assertEquals(127, missing.exit(), missing.all());
        assertTrue(missing.err().contains("no-such-command-here"), missing.all());
    }

    /** A kill forwarded from the no-JVM road, by a command that became another user after its filter was installed by root. */
    @Test
    void theCallersUidIsTheTrappedProcesssNotTheClients() throws Exception {
        forwarded.clear();
        Path socket = Files.createTempDirectory("procsys-intercept-sock").resolve("s.sock");
        try (InterceptEndpoint second = InterceptEndpoint.start(mount, FAKE, socket)) {
            Commands.Result r = Commands.run(List.of(PYTHON, "-I", "-S", INSTALLER.toString(), socket.toString(), "-",
                    "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                    PYTHON, "-c", "import os; os.kill(" + gpid + ", 0); print('sent')"), 60);
            assertEquals(0, r.exit(), r.all());
            assertEquals(List.of("signal 65534 " + gpid + " 0"), List.copyOf(forwarded), "the uid of the process that called kill");
            ClusterMountIT.waitFor(() -> second.running() == 0, 10_000, "the supervisor ends with its command");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        }
    }

    /** The supervisor gone (the daemon stopped), a trapped call fails with ENOSYS at once: the kernel answers it. */
    @Test
    void aTrappedCallWithNoSupervisorLeftIsEnosysAtOnce() throws Exception {
        Path dir = Files.createTempDirectory("procsys-intercept-gone");
        Path socket = dir.resolve("s.sock"), go = dir.resolve("go");
        InterceptEndpoint second = InterceptEndpoint.start(mount, FAKE, socket);
        Process p = new ProcessBuilder(PYTHON, "-I", "-S", INSTALLER.toString(), socket.toString(), "-", PYTHON, "-c",
                LIBC + "while not os.path.exists('" + go + "'): time.sleep(0.01)\n"
                        + "t = time.monotonic(); r = call(libc.sysinfo, ctypes.create_string_buffer(128))\n"
                        + "print(r, round((time.monotonic() - t) * 1000))").redirectErrorStream(true).start();
        // never left waiting: its mount namespace holds a copy of every mount, and so keeps this host's FUSE mounts alive
        try {
            try {
                for (int i = 0; i < 1000 && second.running() == 0 && p.isAlive(); i++) Thread.sleep(10);
                assertEquals(1, second.running(), "the supervisor of the command; it said: "
                        + (p.isAlive() ? "(still running)" : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));
            } finally {
                second.close();
            }
            Files.writeString(go, "");
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "never hangs");
            String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
            assertEquals("-" + Errno.ENOSYS, out[0], String.join(" ", out));
            System.out.println("InterceptIT: sysinfo with the supervisor gone: ENOSYS after " + out[1] + " ms");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(go);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** 100 execs on the no-JVM road: every supervisor ends with its command, no fd or thread stays in the daemon. */
    @Test
    void aHundredExecsLeaveNothingBehind() throws Exception {
        Commands.throughMirror(mount, "true");
        ClusterMountIT.waitFor(() -> intercept.running() == 0, 10_000, "the first exec's supervisor ends");
        long fds = openFds(), threads = interceptThreads();
        for (int i = 0; i < 100; i++) {
            Commands.Result r = Commands.throughMirror(mount, "sh", "-c", "busybox free >/dev/null");
            assertEquals(0, r.exit(), r.all());
            assertEquals("", r.err(), "no JVM's fallback line");
        }
        ClusterMountIT.waitFor(() -> intercept.running() == 0, 10_000, "every supervisor ends with its command");
        ClusterMountIT.waitFor(() -> interceptThreads() <= threads, 10_000, "no supervisor thread left");
        assertTrue(openFds() <= fds + 5, "fds: " + fds + " before, " + openFds() + " after");
        assertTrue(!Files.readString(Path.of("/proc/self/mountinfo")).contains("/run/procsys/host-sys"), "the commands' mounts stayed in their namespaces");
    }

    static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static long interceptThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("procsys-intercept-")).count();
    }
}
