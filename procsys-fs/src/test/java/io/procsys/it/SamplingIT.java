package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tools that sample over time, as they run: on a mirror of this host's /proc, and on a cluster
 * view of this host and two agent processes (each in its own pid namespace, mutual TLS, certificates
 * from `procsys certs`) mounted by the launcher's daemon. procps's top, vmstat and free keep
 * /proc/stat and /proc/meminfo open and read them again from offset 0 at each sample: a mount
 * that served every read of a handle from one rendering showed every interval as the first
 * (no interrupts, 100 % idle, memory still). A busy loop runs in h1's namespace throughout, so
 * each interval must show a CPU's worth of work (on a cluster view the hosts share this kernel:
 * the load is in every host's part of the combined stat).
 */
class SamplingIT {
    static final String BUSY = "sh -c while :; do :; done busy-h1";
    static final List<Process> agents = new ArrayList<>();
    static TestMount mirror;
    static Path cluster, certs;
    /** The busy loop's pid on this host, and its cluster pid as h1's process. */
    static long busyPid, busyClusterPid;

    @BeforeAll
    static void start() throws Exception {
        certs = Files.createTempDirectory("procsys-sampling-certs-");
        Files.delete(certs);
        Commands.Result made = Commands.procsys("certs", "--out", certs.toString(), "here", "h1", "h2");
        assertEquals(0, made.exit(), made.all());
        List<String> peers = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            int port = freePort();
            String script = (i == 1 ? "sh -c 'while :; do :; done' busy-h1 & " : "")
                    + "exec '" + Commands.launcher() + "' agent --listen 127.0.0.1:" + port + " --name h" + i
                    + " --certs-dir '" + certs + "' --warmup 0";
            agents.add(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script)
                    .redirectErrorStream(true).redirectOutput(certs.resolve("agent-h" + i + ".log").toFile()).start());
            peers.addAll(List.of("--peer", "h" + i + "=127.0.0.1:" + port));
        }
        mirror = new TestMount(Path.of("/proc"));
        cluster = Files.createTempDirectory("procsys-sampling-");
        List<String> mount = new ArrayList<>(List.of("mount", "--name", "here", "--certs-dir", certs.toString(), "--deadline-ms", "3000"));
        mount.addAll(peers);
        mount.add(cluster.toString());
        Commands.Result mounted = Commands.procsys(mount.toArray(String[]::new));
        assertEquals(0, mounted.exit(), mounted.all());
        for (String host : List.of("h1", "h2")) {
            ClusterMountIT.waitFor(() -> Files.isReadable(cluster.resolve("hosts/" + host + "/stat")), 60_000, host + " up");
        }
        ClusterMountIT.waitFor(() -> Commands.run("pgrep", "-x", "-f", BUSY).exit() == 0, 10_000, "the busy loop");
        busyPid = Long.parseLong(Commands.run("pgrep", "-x", "-f", BUSY).out().strip());
        busyClusterPid = SignalsIT.clusterPid(cluster, BUSY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            Commands.Result r = Commands.procsys("umount", cluster.toString());
            assertEquals(0, r.exit(), r.all());
            Files.deleteIfExists(cluster);
        }
        if (mirror != null) mirror.close();
        for (Process p : agents) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        try (var files = Files.walk(certs)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static Path view(String name) {
        return name.equals("mirror") ? mirror.path : cluster;
    }

    static String exec(String view, String... tool) {
        Commands.Result r = Commands.throughMirror(view(view), tool);
        assertEquals(0, r.exit(), String.join(" ", tool) + " on the " + view + ": " + r.all());
        return r.out();
    }

    // ---- a file kept open and read again from 0, as libproc2 does

    static final Function<String, String> CONTEXT_SWITCHES = text -> text.lines().filter(l -> l.startsWith("ctxt ")).findFirst().orElse("(no ctxt)");
    /** utime, field 14 of a process's stat (the fields after the parenthesised comm start at 3). */
    static final Function<String, String> UTIME = text -> text.substring(text.lastIndexOf(')') + 2).split(" ")[14 - 3];

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void aFileKeptOpenIsRenderedAgainByAReadAtZero(String name) throws Exception {
        Path at = view(name);
        Map<String, Function<String, String>> files = new LinkedHashMap<>();
        files.put("stat", CONTEXT_SWITCHES); // this host's on a mirror, the combined one on a cluster view
        files.put(busyPid + "/stat", UTIME);
        if (name.equals("cluster")) {
            files.put("hosts/h1/stat", CONTEXT_SWITCHES);
            files.put(busyClusterPid + "/stat", UTIME); // a remote process under its cluster pid
        }
        Map<String, FileChannel> open = new LinkedHashMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        try {
            for (String file : files.keySet()) {
                FileChannel channel = FileChannel.open(at.resolve(file));
                open.put(file, channel);
                first.put(file, files.get(file).apply(readFromHere(channel)));
            }
            Thread.sleep(1200);
            for (String file : files.keySet()) {
                FileChannel channel = open.get(file);
                assertEquals("", readFromHere(channel), file + ": at the end, nothing more");
                channel.position(0); // lseek(fd, 0, SEEK_SET)
                String again = files.get(file).apply(readFromHere(channel));
                assertNotEquals(first.get(file), again, file + " on the " + name + " read again from 0: it must have moved");
            }
        } finally {
            for (FileChannel c : open.values()) c.close();
        }
    }

    /** Reads a channel from its position to the end, in 1 KiB reads (each one a read(2)). */
    static String readFromHere(FileChannel channel) throws IOException {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        while (channel.read(buffer.clear()) > 0) text.append(StandardCharsets.ISO_8859_1.decode(buffer.flip()));
        return text.toString();
    }

    // ---- the tools, two samples or more

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void vmstatsIntervalLinesCountInterruptsSwitchesAndTheLoad(String name) {
        List<String> lines = exec(name, "vmstat", "1", "3").lines().toList();
        assertEquals(5, lines.size(), String.join("\n", lines));
        for (String line : lines.subList(3, 5)) { // after the line since boot
            String[] f = line.trim().split("\\s+");
            assertTrue(Long.parseLong(f[10]) > 0 && Long.parseLong(f[11]) > 0, "in and cs of an interval: " + line);
            assertTrue(Integer.parseInt(f[12]) >= 10, "us of an interval, with a CPU busy: " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void topsSecondFrameShowsTheBusyLoop(String name) {
        String out = exec(name, "top", "-bn2", "-d1");
        List<Double> user = numbers(out, "%Cpu\\(s\\):\\s*([0-9.]+) us");
        assertEquals(2, user.size(), out);
        assertTrue(user.get(1) >= 10, "the second frame (the last second): " + user + "\n" + out);
    }

    /**
     * free -s 1 -c 2 around 200 MiB put in /dev/shm between its samples: its "shared" column
     * (Shmem) moves by it (on the cluster view, whose hosts share this kernel, by it on each).
     * Shared memory, not "used": on this machine (a VM that reports free pages to its host)
     * MemFree moved by 31-188 MB for the same 200 MB of anonymous memory, run to run, and by 54 MB
     * for 600 MB; Shmem counts the pages exactly.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void freesSharedMovesAroundAnAllocation(String name) throws Exception {
        Process free = new ProcessBuilder(Commands.launcher().toString(), "exec", "--mount", view(name).toString(), "--",
                "free", "-k", "-s", "1", "-c", "2").redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Path hog = Path.of("/dev/shm", "procsys-sampling-" + ProcessHandle.current().pid());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(free.getInputStream(), StandardCharsets.UTF_8))) {
            String first = memLine(out);
            // 200 MiB written while free waits for its second sample
            Commands.Result written = Commands.run("dd", "if=/dev/zero", "of=" + hog, "bs=1M", "count=200", "status=none");
            assertEquals(0, written.exit(), written.all());
            String second = memLine(out);
            long before = Long.parseLong(first.trim().split("\\s+")[4]), after = Long.parseLong(second.trim().split("\\s+")[4]);
            assertTrue(after - before >= 190 << 10, "shared went from " + before + " to " + after + " kB: " + first + " / " + second);
            assertTrue(free.waitFor(30, TimeUnit.SECONDS) && free.exitValue() == 0);
        } finally {
            free.destroyForcibly();
            Files.deleteIfExists(hog);
        }
    }

    /** The next Mem: line free prints. */
    static String memLine(BufferedReader out) throws IOException {
        String line;
        List<String> seen = new ArrayList<>();
        while ((line = out.readLine()) != null) {
            seen.add(line);
            if (line.startsWith("Mem:")) return line;
        }
        throw new AssertionError("no Mem: line in " + seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void mpstatIostatAndSarShowTheBusyLoopInEveryInterval(String name) {
        String mpstat = exec(name, "mpstat", "1", "2");
        List<Double> intervals = numbers(mpstat, "(?m)^\\d\\S*\\s+(?:[AP]M\\s+)?all\\s+([0-9.]+)");
        assertEquals(2, intervals.size(), mpstat);
        assertTrue(intervals.stream().allMatch(u -> u >= 10), "%usr of each interval: " + mpstat);

        String iostat = exec(name, "iostat", "-c", "1", "2");
        List<Double> user = numbers(iostat, "avg-cpu:[^\\n]*\\n\\s*([0-9.]+)");
        assertEquals(2, user.size(), iostat);
        assertTrue(user.get(1) >= 10, "%user of the second report (the interval): " + iostat);

        String sar = exec(name, "sar", "1", "2");
        List<Double> sarUser = numbers(sar, "(?m)^\\d\\S*\\s+(?:[AP]M\\s+)?all\\s+([0-9.]+)");
        assertEquals(2, sarUser.size(), sar);
        assertTrue(sarUser.stream().allMatch(u -> u >= 10), "%user of each interval: " + sar);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void pidstatSeesTheBusyLoopWorkInEachInterval(String name) {
        List<Long> pids = name.equals("mirror") ? List.of(busyPid) : List.of(busyPid, busyClusterPid);
        String pidList = String.join(",", pids.stream().map(String::valueOf).toList());
        String out = exec(name, "pidstat", "-p", pidList, "1", "2");
        for (long pid : pids) {
            List<Double> usr = numbers(out, "(?m)^\\d\\S*\\s+(?:[AP]M\\s+)?\\d+\\s+" + pid + "\\s+([0-9.]+)");
            assertEquals(2, usr.size(), pid + ": " + out);
            assertTrue(usr.stream().allMatch(u -> u >= 50), pid + "'s %usr in each interval: " + out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mirror", "cluster"})
    void htopShowsTheBusyLoopAfterTwoRefreshes(String name) throws Exception {
        long pid = name.equals("mirror") ? busyPid : busyClusterPid;
        String session = "procsys-sampling-" + name + "-" + ProcessHandle.current().pid();
        Commands.Result started = Commands.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "40",
                Commands.launcher() + " exec --mount " + view(name) + " -- htop -d 10 -p " + pid), 30);
        assertEquals(0, started.exit(), started.all());
        try {
            Pattern row = Pattern.compile("(?m)^\\s*" + pid + "\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S\\s+([0-9.]+)\\s.*busy-h1");
            String screen = "";
            double cpu = -1;
            long end = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < end) { // htop's first frame has no interval yet: wait for a later one
                Thread.sleep(500);
                screen = Commands.run("tmux", "capture-pane", "-p", "-t", session).out();
                Matcher m = row.matcher(screen);
                if (m.find() && (cpu = Double.parseDouble(m.group(1))) >= 30) break;
            }
            assertTrue(cpu >= 30, "the busy loop's CPU% after refreshes: " + cpu + "\n" + screen);
        } finally {
            Commands.run("tmux", "send-keys", "-t", session, "q");
            Thread.sleep(300);
            Commands.run("tmux", "kill-session", "-t", session);
        }
    }

    static List<Double> numbers(String text, String regex) {
        List<Double> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) found.add(Double.parseDouble(m.group(1)));
        return found;
    }
}
