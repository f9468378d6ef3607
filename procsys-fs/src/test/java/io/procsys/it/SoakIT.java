package io.procsys.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A soak: the real daemon (`procsys mount`) with two agent processes as peers; 8 readers of mixed
 * files, `ps -ef` through `procsys exec` in a loop, and one peer restarted every 30 s. 60 s in CI;
 * `benchmarks/soak.sh` runs 600 s (-Dprocsys.soak.seconds). Deliberate faults are the restarted
 * peer's own files under hosts/; everything else must never fail, and the daemon's descriptors
 * and memory must stay flat.
 */
class SoakIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final List<String> FILES = List.of("meminfo", "stat", "cpuinfo", "loadavg", "uptime", "net/dev", "self/status",
            "1/status", "hosts/steady/meminfo", "hosts/restarting/loadavg", "vmstat", "diskstats");

    static Process agent(String name, int port, Path root) throws IOException {
        return new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--name", name,
                "--insecure", "--proc-root", root.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    static long statusValue(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    static long fds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        }
    }

    @Test
    void soak() throws Exception {
        long seconds = Long.getLong("procsys.soak.seconds", 60);
        int steadyPort = ClusterMountIT.freePortBelowEphemeralRange();
        int restartingPort = steadyPort + 1;
        Process steady = agent("steady", steadyPort, FIXTURE);
        Process[] restarting = {agent("restarting", restartingPort, Path.of("/proc"))};
        Path mount = Files.createTempDirectory("procsys-soak-");
        long daemon = -1;
        try {
            Thread.sleep(1500);
            // 2 cores run three JVMs, 8 readers and ps in a loop here: a 2 s deadline keeps "late"
            // from meaning "overloaded test machine" (the deadline itself is tested in PeerFaultsIT)
            Commands.Result mounted = Commands.procsys("mount", "--insecure", "--deadline-ms", "2000", "--peer", "steady=127.0.0.1:" + steadyPort,
                    "--peer", "restarting=127.0.0.1:" + restartingPort, mount.toString());
            assertEquals(0, mounted.exit(), mounted.all());
            Matcher m = Pattern.compile("daemon pid (\\d+)").matcher(mounted.err());
            assertTrue(m.find());
            daemon = Long.parseLong(m.group(1));
            Thread.sleep(2000); // peers connect, JIT warms
            long rssStart = statusValue(daemon, "VmRSS"), fdsStart = fds(daemon);

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            // the heap grows from -Xms to its working size in the first seconds of load: measure after that
            long daemonPid = daemon;
            AtomicLong rssWarm = new AtomicLong(-1);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Math.min(15_000, TimeUnit.SECONDS.toMillis(seconds) / 3));
                    rssWarm.set(statusValue(daemonPid, "VmRSS"));
                } catch (Exception e) {
                    rssWarm.set(-2);
                }
            });
            AtomicLong reads = new AtomicLong(), deliberate = new AtomicLong(), psRuns = new AtomicLong();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                int offset = r;
                threads.add(Thread.ofPlatform().start(() -> {
                    long[] mine = new long[1 << 20];
                    int n = 0;
                    for (int i = offset; System.nanoTime() < end; i++) {
                        String f = FILES.get(i % FILES.size());
                        long t0 = System.nanoTime();
                        try {
                            if (Files.readAllBytes(mount.resolve(f)).length == 0) errors.add(f + ": empty");
                            reads.incrementAndGet();
                        } catch (IOException e) {
                            if (f.startsWith("hosts/restarting/")) deliberate.incrementAndGet();
                            else errors.add(f + ": " + e);
                        }
                        if (n < mine.length) mine[n++] = System.nanoTime() - t0;
                    }
                    latencies.add(Arrays.copyOf(mine, n));
                }));
            }
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    Commands.Result ps = Commands.throughMirror(mount, "ps", "-ef");
                    if (ps.exit() != 0) errors.add("ps -ef: " + ps.err());
                    psRuns.incrementAndGet();
                }
            }));
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(30_000, Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                if (System.nanoTime() >= end) break;
                restarting[0].destroyForcibly().waitFor();
                restarting[0] = agent("restarting", restartingPort, Path.of("/proc"));
            }
            for (Thread t : threads) t.join(60_000);

            long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            long p99 = all[(int) (all.length * 0.99)] / 1000;
            long rssEnd = statusValue(daemon, "VmRSS"), fdsEnd = fds(daemon);
            System.out.printf("SOAK %d s: %d reads, %d ps -ef, %d errors, %d deliberate (restarting peer), p99 %d us,"
                            + " daemon RSS %d kB idle, %d kB warm, %d kB at end, fds %d -> %d%n",
                    seconds, reads.get(), psRuns.get(), errors.size(), deliberate.get(), p99, rssStart, rssWarm.get(), rssEnd, fdsStart, fdsEnd);
            assertTrue(errors.isEmpty(), errors.size() + " errors, e.g. " + errors.stream().limit(5).toList());
            assertTrue(reads.get() > 1000 && psRuns.get() > 5);
            assertTrue(fdsEnd <= fdsStart + 5, "descriptors flat: " + fdsStart + " -> " + fdsEnd);
            assertTrue(rssWarm.get() > 0 && rssEnd <= rssWarm.get() + 24 * 1024, "memory flat under load: " + rssWarm.get() + " -> " + rssEnd + " kB");
            assertTrue(rssEnd <= 256 * 1024, "bounded by the heap limit: " + rssEnd + " kB");
        } finally {
            if (daemon > 0) Commands.procsys("umount", mount.toString());
            steady.destroyForcibly();
            restarting[0].destroyForcibly();
            Files.deleteIfExists(mount);
        }
    }
}
