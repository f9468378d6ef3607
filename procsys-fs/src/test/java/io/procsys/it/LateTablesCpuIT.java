package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.fs.cluster.Staleness;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.SignalMode;
import io.procsys.net.agent.TableSource;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host whose process tables come late for a few seconds (its files on time, as a slow guest's
 * agent that builds tables slowly) while a one-thread CPU burner runs on it: the view serves its
 * last table, then fresh ones. top over the view and a reader of the burner's stat once a second
 * never see it above one CPU (+ a tolerance), and once it sleeps the view's CPU times are the
 * kernel's again: the rate over the whole run is the real one (before pacing, top showed ~200 %).
 */
class LateTablesCpuIT {
    static final Duration DEADLINE = Duration.ofMillis(400);
    static final long TABLES_LATE_MILLIS = 2500;
    /** One CPU (a one-thread process) in % of one, with room for the read's own latency in top's interval. */
    static final double MOST_PERCENT = 115;
    static volatile long tableDelayMillis;
    static Agent agent;
    static TestMount mounted;
    static Cluster cluster;

    @BeforeAll
    static void start() throws Exception {
        TableSource slowTables = (request, alloc) -> {
            long delay = tableDelayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay); // then built from the tree as usual: late, and as the host is when it comes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        };
        agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "busy", new ExportedTree(ProcTree.open(Path.of("/proc"))), null,
                null, SignalMode.OFF, slowTables);
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("busy", agent.address())), null, DEADLINE)
                .staleness(Duration.ofSeconds(20));
        mounted = new TestMount(Path.of("/proc"), cluster);
        Peer peer = cluster.peers().getFirst();
        ClusterMountIT.waitFor(() -> peer.status().state() == Peer.State.UP, 15_000, "busy up");
    }

    @AfterAll
    static void stop() throws IOException {
        tableDelayMillis = 0;
        if (mounted != null) mounted.close();
        if (agent != null) agent.close();
    }

    /** utime + stime of a stat text, in ticks. */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
    }

    record Sample(long nanos, long ticks) {}

    @Test
    void aBurnerOfALateHostNeverShowsAboveItsCpuAndItsTimeAddsUp() throws Exception {
        Path mount = mounted.path;
        Path stop = Files.createTempFile("procsys-burner-", ".stop");
        Files.delete(stop);
        Process burner = new ProcessBuilder("bash", "-c", "while [ ! -e " + stop + " ]; do :; done; exec sleep 600").start();
        Process top = null;
        try {
            long cpid = ClusterPids.listed(cluster, mount, "busy", burner.pid());
            Path viewStat = mount.resolve(cpid + "/stat"), realStat = Path.of("/proc/" + burner.pid() + "/stat");
            top = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "mount --bind " + mount + " /proc && exec env COLUMNS=512 top -b -d1 -n 22 -w 512").start();
            CompletableFuture<String> topOut = CompletableFuture.supplyAsync(drain(top));
            List<Sample> samples = new ArrayList<>();
            boolean sawStale = false;
            long began = System.nanoTime();
            for (int s = 0; s < 20; s++) {
                if (s == 4) tableDelayMillis = TABLES_LATE_MILLIS;
                if (s == 8) tableDelayMillis = 0;
                if (s == 15) Files.createFile(stop);
                try (var listing = Files.list(mount)) { // as top does at each sample: the host's table is asked for
                    listing.count();
                }
                try { // a reader of its own each time, as `cat` once a second: each read is its first of a table
                    String text = CompletableFuture.supplyAsync(() -> read(viewStat), r -> Thread.ofPlatform().start(r)).join();
                    samples.add(new Sample(System.nanoTime(), ticks(text)));
                } catch (java.util.concurrent.CompletionException e) { // a read the late host did not answer in time: no sample
                    System.out.println("LateTablesCpuIT: sample " + s + " unread: " + e.getCause());
                }
                sawStale |= cluster.staleHosts().stream().anyMatch(h -> h.host().equals("busy") && h.state().equals(Staleness.STALE));
                Thread.sleep(Math.max(0, began + TimeUnit.SECONDS.toNanos(s + 1) - System.nanoTime()) / 1_000_000);
            }
            System.out.println("LateTablesCpuIT: the view's stat, % of a CPU between reads: " + percents(samples));
            assertTrue(sawStale, "the host was served from its last table while late: " + cluster.staleHosts());
            for (int i = 1; i < samples.size(); i++) {
                double seconds = (samples.get(i).nanos - samples.get(i - 1).nanos) / 1e9;
                double percent = (samples.get(i).ticks - samples.get(i - 1).ticks) / seconds;
                assertTrue(percent <= MOST_PERCENT, "stat read " + i + ": " + percent + " % of a CPU in " + seconds + " s: " + samples);
            }
            assertTrue(top.waitFor(30, TimeUnit.SECONDS), "top ended");
            Files.writeString(Path.of("target/LateTablesCpuIT-top.txt"), topOut.join());
            List<Double> shown = topPercents(topOut.join(), cpid);
            System.out.println("LateTablesCpuIT: top's %CPU of the burner: " + shown);
            assertTrue(shown.size() >= 10, "top showed the burner in most samples: " + shown);
            for (double p : shown.subList(1, shown.size())) assertTrue(p <= MOST_PERCENT, "top showed the burner at " + p + " %: " + shown);

            // once it sleeps, the view catches up with the kernel: the whole run's CPU time is the real one
            ClusterMountIT.waitFor(() -> burnerSleeps(realStat), 20_000, "burner done");
            long realEnd = ticks(Files.readString(realStat));
            ClusterMountIT.waitFor(() -> viewTicks(mount, viewStat) == realEnd, 20_000, "the view's CPU time back to the kernel's " + realEnd);
        } finally {
            if (top != null) top.destroyForcibly().waitFor();
            burner.destroyForcibly().waitFor();
            Files.deleteIfExists(stop);
        }
    }

    static List<Long> percents(List<Sample> samples) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            out.add(Math.round((samples.get(i).ticks - samples.get(i - 1).ticks) / ((samples.get(i).nanos - samples.get(i - 1).nanos) / 1e9)));
        }
        return out;
    }

    /** What the view's stat of the burner says now, after a listing (a fresh table); -1 when it cannot be read. */
    static long viewTicks(Path mount, Path viewStat) {
        try (var listing = Files.list(mount)) {
            listing.count();
            return ticks(Files.readString(viewStat));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean burnerSleeps(Path realStat) {
        try {
            return Files.readString(realStat).contains("(sleep)");
        } catch (IOException e) {
            return false;
        }
    }

    /** top's %CPU (the 9th column) for {@code pid}, one per sample that showed it. */
    static List<Double> topPercents(String out, long pid) {
        List<Double> percents = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 9 && f[0].equals(Long.toString(pid))) percents.add(Double.parseDouble(f[8].replace(',', '.')));
        }
        return percents;
    }

    static java.util.function.Supplier<String> drain(Process p) {
        return () -> {
            try {
                return new String(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                return "";
            }
        };
    }
}
