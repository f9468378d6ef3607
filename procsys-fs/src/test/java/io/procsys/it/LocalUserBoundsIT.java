package io.procsys.it;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountService;
import io.procsys.daemon.StatusEndpoint;
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
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another local user (nobody) cannot take an allow_other mount's daemon down (docs/security.md,
 * "Bounds"): a flood of its control socket, a flood of handles, a storm of reads at offset 0 on one
 * handle; while each runs, root is answered. And two mounts never share a socket.
 */
class LocalUserBoundsIT {
    static final int NOBODY = LocalUser.NOBODY;
    static Agent agent;
    static Path view;
    static MountService service;
    static Cluster cluster;
    static ControlEndpoint control;
    static StatusEndpoint status;

    @BeforeAll
    static void start() throws Exception {
        agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "h1", new ExportedTree(ProcTree.open(Path.of("/proc"))), null);
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("h1", agent.address())), null, Duration.ofMillis(2000));
        view = Files.createTempDirectory("procsys-bounds-");
        Files.setPosixFilePermissions(view, PosixFilePermissions.fromString("rwxr-xr-x"));
        service = MountService.mount(Path.of("/proc"), view, List.of("allow_other"), cluster);
        service.serveInBackground(8);
        ClusterMountIT.superviseExecs(service);
        control = ControlEndpoint.start(view, cluster, true);
        status = StatusEndpoint.start(view, Path.of("/proc"), cluster);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, "h1 up");
    }

    @AfterAll
    static void stop() throws IOException {
        control.close();
        status.close();
        service.close();
        agent.close();
        Files.deleteIfExists(view);
    }

    static long openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Connections to SOCKET for SECONDS, a byte each every half second (never a whole line): how many it opened, how many the daemon kept to the end. */
    static final String FLOOD = """
            import resource, socket, sys, time
            path, seconds = sys.argv[1], float(sys.argv[2])
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            conns, end = [], time.time() + seconds
            while time.time() < end - 3 and len(conns) < min(hard - 16, 5000):  # the last 3 s only trickle: past any deadline
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    s.send(b"{")
                    conns.append(s)
                except OSError:
                    s.close()
            opened, closed = len(conns), set()
            while time.time() < end:
                for i, s in enumerate(conns):
                    if i in closed:
                        continue
                    try:
                        s.send(b" ")
                    except OSError:
                        closed.add(i)  # the daemon closed it
                time.sleep(0.5)
            print(opened, opened - len(closed))
            """;

    @Test
    void aControlSocketFloodKeepsFewDescriptorsAndRootIsAnswered() throws Exception {
        long before = openDescriptors();
        long clusterPid = ClusterPids.listed(cluster, view, "h1", ProcessHandle.current().pid());
        CompletableFuture<Commands.Result> flood = CompletableFuture.supplyAsync(() ->
                LocalUser.python(NOBODY, FLOOD, ControlEndpoint.socketFor(view).toString(), "8"));
        Thread.sleep(4000);
        long during = openDescriptors();
        Commands.Result which = Commands.procsys("which", "--mount", view.toString(), clusterPid + "");
        Commands.Result statusNow = Commands.procsys("status", view.toString());
        String loadavg = Files.readString(view.resolve("loadavg"));
        Commands.Result flooded = flood.join();
        assertEquals(0, flooded.exit(), flooded.all());
        String[] counts = flooded.out().strip().split(" ");
        assertTrue(Integer.parseInt(counts[0]) > 100, "the flood opened many connections: " + flooded.out());
        assertEquals("0", counts[1], "none kept past the request deadline: " + flooded.out());
        assertTrue(during - before < 60, "the daemon held " + (during - before) + " more descriptors during the flood");
        assertEquals(0, which.exit(), "root's which answered: " + which.all());
        assertTrue(which.out().contains(" h1 "), which.out());
        assertEquals(0, statusNow.exit(), "root's status answered: " + statusNow.all());
        assertTrue(loadavg.split(" ").length == 5, "reads answered");
    }

    /** Opens FILE up to N times and holds the handles a moment: how many opened, and the errors of the others. */
    static final String HANDLES = """
            import os, resource, sys, time
            path, n = sys.argv[1], int(sys.argv[2])
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            fds, errors = [], set()
            for _ in range(n):
                try:
                    fds.append(os.open(path, os.O_RDONLY))
                except OSError as e:
                    errors.add(e.strerror)
            print(len(fds), ",".join(sorted(errors)))
            time.sleep(float(sys.argv[3]))
            """;

    @Test
    void aUserHoldsAtMostItsHandlesAndItsBytes() throws Exception {
        Commands.Result small = LocalUser.python(NOBODY, HANDLES, view.resolve("loadavg").toString(), "1500", "0");
        assertEquals(0, small.exit(), small.all());
        assertEquals("1024 Too many open files", small.out().strip(), "handles past the user's 1024 are EMFILE");
        CompletableFuture<Commands.Result> big = CompletableFuture.supplyAsync(() ->
                LocalUser.python(NOBODY, HANDLES, view.resolve("kallsyms").toString(), "200", "3"));
        Thread.sleep(2000);
        long kallsyms = Files.size(Path.of("/proc/kallsyms")) > 0 ? Files.readString(Path.of("/proc/kallsyms")).length() : 0;
        assertTrue(Files.readString(view.resolve("kallsyms")).length() > kallsyms / 2, "root reads kallsyms while nobody holds what it may");
        Commands.Result held = big.join();
        String[] out = held.out().strip().split(" ", 2);
        long opened = Long.parseLong(out[0]);
        assertTrue(opened * kallsyms <= (64L << 20) + kallsyms, opened + " renderings of " + kallsyms + " bytes: past the user's 64 MiB");
        assertEquals("Resource temporarily unavailable", out[1], "the next are EAGAIN: " + held.all());
    }

    /** THREADS threads pread 1 byte at offset 0 of one open FILE for SECONDS. */
    static final String STORM = """
            import os, sys, threading, time
            path, threads, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            fd = os.open(path, os.O_RDONLY)
            end = time.time() + seconds
            def run():
                while time.time() < end:
                    os.pread(fd, 1, 0)
            ts = [threading.Thread(target=run) for _ in range(threads)]
            for t in ts: t.start()
            for t in ts: t.join()
            """;

    @Test
    void aStormOfReadsAtZeroOnOneHandleLeavesOtherReadersAnswered() throws Exception {
        CompletableFuture<Commands.Result> storm = CompletableFuture.supplyAsync(() ->
                LocalUser.python(NOBODY, STORM, view.resolve("kallsyms").toString(), "9", "6"));
        Thread.sleep(1000);
        long[] millis = new long[100];
        for (int i = 0; i < millis.length; i++) {
            long t0 = System.nanoTime();
            Files.readAllBytes(view.resolve("loadavg"));
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            Thread.sleep(20);
        }
        assertEquals(0, storm.join().exit(), storm.join().all());
        Arrays.sort(millis);
        assertTrue(millis[94] < 100, "root's reads while nobody's 9 threads pread at 0: 95th percentile " + millis[94] + " ms, max "
                + millis[99] + " ms (the storm keeps one worker, rendering at most a fifth of the time)");
    }

    @Test
    void twoMountsNeverShareASocketAndALiveOneIsNotTakenOver() throws Exception {
        Path base = Files.createTempDirectory("procsys-names-");
        Path underscore = base.resolve("a_b"), slash = base.resolve("a/b"), deep = base.resolve("x".repeat(100) + "/" + "y".repeat(100));
        for (Path p : List.of(underscore, slash, deep)) Files.createDirectories(p);
        try (ControlEndpoint first = ControlEndpoint.start(underscore, null, false);
             ControlEndpoint second = ControlEndpoint.start(slash, null, false);
             ControlEndpoint longPath = ControlEndpoint.start(deep, null, false)) {
            assertNotEquals(ControlEndpoint.socketFor(underscore), ControlEndpoint.socketFor(slash));
            for (Path p : List.of(underscore, slash, deep)) {
                assertTrue(ask(ControlEndpoint.socketFor(p)).contains("\"errno\""), "the socket of " + p + " answers");
            }
            IOException refused = assertThrows(IOException.class, () -> ControlEndpoint.start(underscore, null, false));
            assertTrue(refused.getMessage().contains("another daemon serves"), refused.getMessage());
            assertTrue(ask(ControlEndpoint.socketFor(underscore)).contains("\"errno\""), "the first daemon's socket still answers");
        } finally {
            Commands.run("rm", "-rf", base.toString());
        }
    }

    @Test
    void whichAnswersThisHostsOwnPidsToo() {
        long own = ProcessHandle.current().pid();
        Commands.Result r = Commands.procsys("which", "--mount", view.toString(), own + "");
        assertEquals(0, r.exit(), r.all());
        assertEquals(own + " here " + own, r.out().strip());
    }

    /** Listens on SOCKET as whoever runs it and hands every client a namespace plan, as a daemon would. */
    static final String FAKE_DAEMON = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(sys.argv[1])
            s.listen(1)
            c, _ = s.accept()
            plan = b"bind\\t/tmp\\t/proc\\n"
            c.sendall(len(plan).to_bytes(4, "little") + plan + (8).to_bytes(4, "little") + bytes(8))
            c.recv(1)
            """;

    @Test
    void theInterceptSocketIsRootsAtBothEnds() throws Exception {
        Path socket = io.procsys.daemon.intercept.InterceptEndpoint.socketFor(view);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String peek = "import socket, sys\ns = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)\nprint(len(s.recv(4)))";
        assertEquals("0", LocalUser.python(NOBODY, peek, socket.toString()).out().strip(), "a client other than root gets nothing, not even the plan");
        Path dir = Files.createTempDirectory("procsys-fake-daemon-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path fake = dir.resolve("intercept.sock");
        CompletableFuture<Commands.Result> daemon = CompletableFuture.supplyAsync(() -> LocalUser.python(NOBODY, FAKE_DAEMON, fake.toString()));
        ClusterMountIT.waitFor(() -> Files.exists(fake), 5_000, "the fake daemon listening");
        Commands.Result client = Commands.run(List.of("/usr/bin/python3", "-I", "-S", "src/main/python/intercept-exec.py", fake.toString(), "-", "true"), 30);
        daemon.join();
        Commands.run("rm", "-rf", dir.toString());
        assertEquals(125, client.exit(), client.all());
        assertTrue(client.err().contains("not served by root"), "the client checks the daemon is root: " + client.all());
    }

    @Test
    void underSudoTheCallersEnvironmentNamesNothingRootRuns() throws Exception {
        Path marker = Files.createTempFile("procsys-sudo-", "");
        Files.delete(marker);
        Path evil = Files.createTempFile("procsys-python-", ".sh");
        Files.writeString(evil, "#!/bin/sh\ntouch " + marker + "\nexec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            // what `sudo -E` from user 1000 would hand over: that user's python and JVM options
            ProcessBuilder sudo = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", view.toString(), "--", "true")
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            sudo.environment().putAll(java.util.Map.of("SUDO_UID", "1000", "SUDO_USER", "someone", "PROCSYS_PYTHON", evil.toString(),
                    "PROCSYS_JAVA_OPTS", "-XX:+BogusOptionFromTheUser"));
            Process run = sudo.start();
            String out = new String(run.getInputStream().readAllBytes());
            assertTrue(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, run.exitValue(), out);
            assertTrue(!Files.exists(marker), "the user's PROCSYS_PYTHON was not run as root: " + out);
        } finally {
            Files.deleteIfExists(marker);
            Files.deleteIfExists(evil);
        }
    }

    /** One request ("which" of a local pid) to a control socket: the raw reply line. */
    static String ask(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("{\"op\":\"which\",\"pid\":1}\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (channel.read(in) > 0) {
                // until the daemon closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }
}
