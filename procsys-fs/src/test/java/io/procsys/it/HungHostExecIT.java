package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One hung host costs nothing to the commands that do not need it (issue 37, section 2): two
 * agent processes, one of them stopped with SIGSTOP. `procsys exec -- bash -c true` (bash calls
 * sysinfo(2) at start) and `exec -- free` take about what they take with every host answering:
 * sysinfo comes from a combination at most a second old, and a late host is not waited for.
 * Before, each took three deadlines more (a combined meminfo, loadavg and uptime made for the
 * call, each waiting for the stopped host). The figures against a real fleet's are in
 * BENCHMARKS.md (benchmarks/hung-host.sh: TLS, paired runs); this is the bounded check.
 */
class HungHostExecIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Duration DEADLINE = Duration.ofMillis(500);
    static final int RUNS = 5;

    static Process agent(String name, int port) throws Exception {
        return new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--name", name,
                "--insecure", "--proc-root", FIXTURE.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The median wall time of {@code RUNS} runs of a command under exec on {@code mount}, in ms. */
    static long medianMillis(Path mount, String... command) {
        long[] took = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            Commands.Result r = Commands.throughMirror(mount, command);
            took[i] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exit(), r.all());
        }
        Arrays.sort(took);
        return took[RUNS / 2];
    }

    @Test
    void aStoppedHostAddsNothingToExecOfBashOrFree() throws Exception {
        int port = ClusterMountIT.freePortBelowEphemeralRange();
        List<Process> agents = new ArrayList<>(List.of(agent("steady", port), agent("stopped", port + 1)));
        Process stopped = agents.get(1);
        try {
            Cluster cluster = new Cluster("here", List.of(new Cluster.PeerAddress("steady", new InetSocketAddress("127.0.0.1", port)),
                    new Cluster.PeerAddress("stopped", new InetSocketAddress("127.0.0.1", port + 1))), null, DEADLINE);
            try (TestMount mount = new TestMount(Path.of("/proc"), cluster)) {
                for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 20_000, p.name() + " up");
                medianMillis(mount.path, "bash", "-c", "true"); // warm: the daemon's first supervisor, the launcher's caches
                long bashUp = medianMillis(mount.path, "bash", "-c", "true");
                long freeUp = medianMillis(mount.path, "free");

                new ProcessBuilder("kill", "-STOP", Long.toString(stopped.pid())).start().waitFor();
                Commands.throughMirror(mount.path, "free"); // the one call a deadline period that may wait for it
                long bashStopped = medianMillis(mount.path, "bash", "-c", "true");
                long freeStopped = medianMillis(mount.path, "free");
                System.out.printf("HungHostExecIT: bash -c true %d -> %d ms, free %d -> %d ms (medians of %d, one host stopped)%n",
                        bashUp, bashStopped, freeUp, freeStopped, RUNS);
                // the benchmark's target is 100 ms; CI machines are noisier, and the old code took 3 deadlines (1.5 s) more
                assertTrue(bashStopped <= bashUp + DEADLINE.toMillis() / 2, "bash -c true: " + bashUp + " -> " + bashStopped + " ms");
                assertTrue(freeStopped <= freeUp + DEADLINE.toMillis() / 2, "free: " + freeUp + " -> " + freeStopped + " ms");
            }
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(stopped.pid())).start().waitFor();
            for (Process a : agents) a.destroyForcibly();
        }
    }
}
