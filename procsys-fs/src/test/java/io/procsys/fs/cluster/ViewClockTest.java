package io.procsys.fs.cluster;

import io.procsys.fs.clock.BootInstant;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.fs.clock.Rebase;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The view's clock (docs/aggregation.md, "btime and start times") over captured trees, read as ps
 * reads them: ELAPSED = uptime − starttime / HZ, START = btime + starttime / HZ. This host booted a
 * day ago; h1 two days before it, with processes started 1 h and 40 h ago; h2 2 h ago with its wall
 * clock 3 h ahead, with a process started 10 min ago. Time is a fake clock: every measurement has a
 * round trip of 0, so figures are exact to the second.
 */
class ViewClockTest {
    static final long NOW = 1_800_000_000_000L; // this host's wall clock, ms
    static final long DAY = 86_400, HOUR = 3600;

    @TempDir
    Path dir;
    long wall = NOW, nanos = 1_000_000_000L;
    final List<ProcTree> trees = new ArrayList<>();
    HostSet hosts;
    BootTimes clock;
    long reconnects;

    /** A captured host up for {@code uptime} s whose wall clock says {@code btime}, with processes pid → age in s. */
    Backend host(String name, long uptime, long btime, long... pidAndAge) throws IOException {
        Path root = dir.resolve(name);
        Files.createDirectories(root);
        write(root, uptime, btime, pidAndAge);
        ProcTree tree = ProcTree.open(root);
        trees.add(tree);
        return new LocalBackend(name, new ExportedTree(tree));
    }

    static void write(Path root, long uptime, long btime, long... pidAndAge) throws IOException {
        writeUptime(root, uptime * 100);
        Files.writeString(root.resolve("stat"), "cpu  1 2 3 4 5 6 7 8 0 0\nbtime " + btime + "\nprocesses 9\n");
        for (int i = 0; i < pidAndAge.length; i += 2) {
            Path p = Files.createDirectories(root.resolve(Long.toString(pidAndAge[i])));
            long startTicks = (uptime - pidAndAge[i + 1]) * Rebase.TICKS_PER_SECOND;
            Files.writeString(p.resolve("stat"), pidAndAge[i] + " (p) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTicks + " 1000 10\n");
        }
    }

    static void writeUptime(Path root, long hundredths) throws IOException {
        Files.writeString(root.resolve("uptime"), String.format("%d.%02d 1.00%n", hundredths / 100, hundredths % 100));
    }

    @BeforeEach
    void hosts() throws IOException {
        long here = NOW / 1000 - DAY;
        hosts = new HostSet(List.of(
                host("here", DAY, here, 500, 8),
                host("h1", 3 * DAY, here - 2 * DAY, 100, HOUR, 101, 40 * HOUR),
                reconnecting(host("h2", 2 * HOUR, NOW / 1000 - 2 * HOUR + 3 * HOUR, 200, 600))));
        clock = new BootTimes(hosts, () -> wall, () -> nanos);
    }

    /** A host whose connection came up {@link #reconnects} + 1 times. */
    Backend reconnecting(Backend b) {
        return new Backend() {
            public String name() { return b.name(); }
            public CompletableFuture<FileAttributes> stat(String path) { return b.stat(path); }
            public CompletableFuture<List<ExportedTree.Entry>> list(String path) { return b.list(path); }
            public CompletableFuture<String> readlink(String path) { return b.readlink(path); }
            public CompletableFuture<Content> read(String path) { return b.read(path); }
            public long connections() { return reconnects + 1; }
        };
    }

    @AfterEach
    void close() {
        trees.forEach(ProcTree::close);
    }

    /** Time goes on by {@code millis}, the hosts' uptimes with it, read off by {@code noise} ms this time (a round trip's). */
    void advance(long millis, long noise) throws IOException {
        wall += millis;
        nanos += millis * 1_000_000L;
        for (int i = 0; i < 3; i++) {
            Backend b = hosts.get(i);
            if (trueUptime[i] == 0) trueUptime[i] = BootInstant.uptimeHundredths(read(b, "uptime"));
            trueUptime[i] += millis / 10;
            writeUptime(dir.resolve(b.name()), trueUptime[i] + noise / 10);
        }
    }

    final long[] trueUptime = new long[3];

    static String read(Backend b, String path) {
        Backend.Content c = b.read(path).join();
        try {
            return Contents.text(c.bytes());
        } finally {
            c.release();
        }
    }

    void advance(long seconds) throws IOException {
        advance(seconds * 1000, 0);
    }

    /** What ps shows for process {@code pid} of host {@code index}: ELAPSED and START, in seconds. */
    record Ps(long etimes, long lstart) {}

    /** ps as it runs: it reads uptime and stat (each host's copy, for the combined files, measures it), then its processes. */
    Ps ps(int index, long pid) {
        return ps(index, pid, true);
    }

    /** As above; without {@code fanOut}, the combined files were served without a copy from the hosts (reused). */
    Ps ps(int index, long pid, boolean fanOut) {
        for (int i = 0; fanOut && i < 3; i++) {
            for (String file : List.of("uptime", "stat")) clock.observed(file, i, hosts.get(i), wall, nanos, 0, read(hosts.get(i), file));
        }
        String uptime = clock.onViewClock("uptime", CompletableFuture.completedFuture("1.00 2.00\n")).join();
        long btime = BootInstant.btime(clock.onViewClock("stat", CompletableFuture.completedFuture("cpu 1\nbtime 1\n")).join());
        String stat = read(hosts.get(index), pid + "/stat");
        String rebased = Rebase.stat(stat, clock.shiftSeconds(index).join());
        long start = Long.parseLong(rebased.substring(rebased.lastIndexOf(')') + 2).split(" ")[19]);
        long up = BootInstant.uptimeHundredths(uptime) / 100;
        assertEquals(wall / 1000, btime + up, 1, "btime + uptime = now");
        return new Ps(up - start / Rebase.TICKS_PER_SECOND, btime + start / Rebase.TICKS_PER_SECOND);
    }

    void assertPs(int index, long pid, long age) {
        Ps ps = ps(index, pid);
        assertEquals(age, ps.etimes(), 1, "ELAPSED of " + hosts.get(index).name() + "/" + pid);
        assertEquals(wall / 1000 - age, ps.lstart(), 1, "START of " + hosts.get(index).name() + "/" + pid);
    }

    @Test
    void everyProcessHasItsAgeAndStartOnOneClock() {
        assertPs(0, 500, 8); // this host's own sleep, rebased too
        assertPs(1, 100, HOUR);
        assertPs(1, 101, 40 * HOUR); // older than this host's boot: not clamped to it
        assertPs(2, 200, 600); // its wall clock 3 h ahead: not in the future
        ClockStatus status = clock.status();
        assertEquals(NOW / 1000 - 3 * DAY, status.btime(), "the view's btime is the earliest boot, h1's");
        assertEquals(List.of("here", "h1", "h2"), status.hosts().stream().map(ClockStatus.Host::name).toList());
        assertEquals(3 * HOUR, status.hosts().get(2).skewSeconds(), 0.01, "h2's clock is 3 h ahead");
        assertEquals(0, status.hosts().get(1).skewSeconds(), 0.01);
        assertEquals(2 * DAY, clock.shiftSeconds(0).join(), "this host's start times move by the two days h1 booted before it");
    }

    @Test
    void theViewsBootStaysBetweenReadsAndEveryProcessKeepsItsStart() throws IOException {
        Ps first = ps(1, 100);
        Ps mine = ps(0, 500);
        long btime = clock.status().btime();
        long[] noise = {300, -200, 0, 450, -400, 100};
        for (int i = 0; i < 60; i++) {
            advance(1000, noise[i % noise.length]); // measured again every 10 s, each time off by up to 0.45 s
            assertEquals(btime, clock.status().btime(), "no jitter");
            assertEquals(first.lstart(), ps(1, 100).lstart(), "h1/100 keeps its start");
            assertEquals(mine.lstart(), ps(0, 500).lstart(), "this host's sleep keeps its start");
        }
    }

    @Test
    void anUptimeThatGoesBackIsAReboot() throws IOException {
        assertPs(1, 100, HOUR);
        advance(5); // well within a refresh: seen at once
        // h1 rebooted 5 s ago: its uptime went back (seen in its copy for the combined uptime); the
        // view's earliest boot is now this host's
        write(dir.resolve("h1"), 5, wall / 1000 - 5, 102, 2);
        trueUptime[1] = 500;
        assertPs(1, 102, 2);
        assertPs(0, 500, 13);
        assertEquals(wall / 1000 - DAY - 5, clock.status().btime(), "the earliest host rebooted: the view's boot is this host's");
        assertEquals(0, clock.shiftSeconds(0).join());
    }

    @Test
    void aCombinedUptimeMeasuresItsHostsWithNoRequestOfTheirOwn() throws IOException {
        List<String> asked = new ArrayList<>();
        Backend counted = new Backend() {
            final Backend b = hosts.get(1);
            public String name() { return b.name(); }
            public CompletableFuture<FileAttributes> stat(String path) { return b.stat(path); }
            public CompletableFuture<List<ExportedTree.Entry>> list(String path) { return b.list(path); }
            public CompletableFuture<String> readlink(String path) { return b.readlink(path); }
            public CompletableFuture<Content> read(String path) { asked.add(path); return b.read(path); }
        };
        hosts = new HostSet(List.of(hosts.get(0), counted, hosts.get(2)));
        clock = new BootTimes(hosts, () -> wall, () -> nanos);
        // h1's copies of the combined uptime and stat, asked 40 ms before they came
        clock.observed("uptime", 1, counted, wall - 40, nanos - 40_000_000L, 40_000_000L, (3 * DAY) + ".00 1.00\n");
        clock.observed("stat", 1, counted, wall, nanos, 0, "cpu 1\nbtime " + (NOW / 1000 - 3 * DAY + 7) + "\n");
        assertEquals(2 * DAY, clock.shiftSeconds(0).join() - clock.shiftSeconds(1).join());
        assertEquals(List.of(), asked, "no request of its own to h1");
        var h1 = clock.status().hosts().stream().filter(h -> h.name().equals("h1")).findFirst().orElseThrow();
        assertEquals(7.02, h1.skewSeconds(), 0.001, "its btime against the boot measured at the middle of the round trip");
        assertEquals(20, h1.uncertaintyMillis());
        advance(40);
        asked.clear(); // (advancing read each host's uptime, to move it on)
        clock.shiftSeconds(1).join();
        assertEquals(List.of("uptime", "stat"), asked, "unobserved for longer than a refresh: asked itself");
    }

    @Test
    void aHostBackOnANewConnectionIsMeasuredBeforeItsNextUse() throws IOException {
        assertPs(2, 200, 600);
        advance(1); // well within a refresh
        write(dir.resolve("h2"), 3, wall / 1000 - 3 + 3 * HOUR, 201, 1);
        trueUptime[2] = 300;
        assertEquals(7199, ps(2, 201, false).etimes(), "no copy of its uptime, the same connection: the boot in use");
        reconnects++;
        Ps again = ps(2, 201, false);
        assertEquals(1, again.etimes(), 1, "back on a new connection: measured before its start times are used");
        assertEquals(wall / 1000 - 1, again.lstart(), 1);
    }
}
