package io.procsys.scope;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procsys.fs.combine.Aggregators;
import io.procsys.fs.combine.CombineResult;
import io.procsys.fs.combine.HostPart;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scope's renderers fed cgroup files of any form (a kernel of another version, a cgroup torn
 * down between two reads, a fuzzer): a file is rendered or its host left out (ErrnoException),
 * nothing else is thrown; no amount is negative; MemAvailable never exceeds MemTotal; every
 * rendering is a part the file's aggregator combines without dropping it; and the CPU times of
 * three renderings in a row (counters that may drop, as at a restart) never go back. Run as a
 * test it replays the kept inputs; {@code scripts/fuzz.sh} fuzzes it (JAZZER_FUZZ=1).
 */
class ScopedFilesFuzzTest {
    static final String WEB = "system.slice/web.service";
    static final ScopeResolver.Target TARGET = new ScopeResolver.Target(Hierarchies.UNIFIED, "/" + WEB);

    /** web.service on a v2 host, as the kernel writes its files. */
    static final Map<String, String> CGROUP = Map.ofEntries(
            Map.entry("cgroup.controllers", "cpuset cpu io memory pids\n"), Map.entry("cpuset.cpus.effective", "0-1\n"),
            Map.entry("system.slice/memory.max", "max\n"), Map.entry("system.slice/cpu.max", "max 100000\n"),
            Map.entry(WEB + "/cgroup.procs", "101\n102\n"), Map.entry(WEB + "/cgroup.threads", "101\n102\n103\n"),
            Map.entry(WEB + "/memory.max", "209715200\n"), Map.entry(WEB + "/memory.current", "10485760\n"),
            Map.entry(WEB + "/memory.swap.max", "max\n"), Map.entry(WEB + "/memory.swap.current", "0\n"),
            Map.entry(WEB + "/memory.stat", "anon 4194304\nfile 6291456\nshmem 1048576\ninactive_file 5242880\nactive_file 1048576\n"
                    + "slab_reclaimable 131072\nslab_unreclaimable 65536\n"),
            Map.entry(WEB + "/cpu.max", "50000 100000\n"), Map.entry(WEB + "/cpuset.cpus.effective", "0-1\n"),
            Map.entry(WEB + "/cpu.stat", "usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\nnice_usec 0\n"),
            Map.entry(WEB + "/io.stat", "254:0 rbytes=4096 wbytes=52428800 rios=1 wios=50 dbytes=0 dios=0\n"));
    static final List<String> NAMES = List.copyOf(CGROUP.keySet());

    @FuzzTest(maxDuration = "5s")
    void scopedFilesAreTheScopesOrLeftOut(FuzzedDataProvider data) {
        Map<String, String> files = new HashMap<>(CGROUP);
        int edits = data.consumeInt(1, 4);
        for (int i = 0; i < edits; i++) {
            String name = data.pickValue(NAMES);
            files.put(name, data.consumeBoolean() ? edited(files.get(name), data) : latin1(data.consumeBytes(data.consumeInt(0, 200))));
        }
        MemoryFiles cgroups = new MemoryFiles(files);
        Hierarchies hierarchies = Hierarchies.detect(cgroups);
        Members members = Members.of(cgroups, hierarchies, List.of(TARGET));
        CpuClock clock = new CpuClock();
        long[] lastCpu = null;
        for (int round = 0; round < 3; round++) {
            if (round > 0) files.put(WEB + "/cpu.stat", "user_usec " + data.consumeLong(0, 1L << 50) + "\nsystem_usec " + data.consumeLong(0, 1L << 50) + "\n");
            List<CgroupReadings> readings = List.of(new CgroupReader(cgroups, hierarchies, pid -> null).read(TARGET, members));
            for (String file : ScopedHost.FILES) {
                String text = render(file, readings, clock, round);
                if (text == null) continue; // left out for a reason: fine
                assertCombines(file, text);
                if (!file.equals("cpuinfo")) assertTrue(!text.contains(" -") && !text.contains("\t-") && !text.startsWith("-"), file + " has a negative amount:\n" + text);
                if (file.equals("meminfo")) {
                    assertTrue(ScopedMemory.hostValue(text, "MemAvailable") <= ScopedMemory.hostValue(text, "MemTotal"), text);
                }
                if (file.equals("stat")) {
                    long[] cpu = cpuLine(text);
                    if (lastCpu != null) for (int i = 0; i < cpu.length; i++) assertTrue(cpu[i] >= lastCpu[i], "column " + i + " went back:\n" + text);
                    lastCpu = cpu;
                }
            }
        }
    }

    /** One rendering on a host of this machine kind's files, uptime moving a second a round; null when the host is left out. */
    static String render(String file, List<CgroupReadings> readings, CpuClock clock, int round) {
        try {
            return ScopedFiles.render(file, name -> name.equals("uptime") ? (5000 + round) + ".00 100.00\n" : HOST.get(name), readings, clock,
                    () -> new ScopedCpus.Threads(1, 0, 3, 103), () -> new double[]{0.5, 0.25, 0.1});
        } catch (ErrnoException leftOut) {
            return null;
        }
    }

    static void assertCombines(String file, String text) {
        CombineResult r = Aggregators.forPath(file).orElseThrow().combineWithReport(List.of(new HostPart("h1", 1, text)));
        assertEquals(List.of(), r.dropped(), file + " as the aggregator reads it:\n" + text);
    }

    static long[] cpuLine(String stat) {
        String[] f = stat.lines().findFirst().orElseThrow().trim().split("\\s+");
        long[] values = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) values[i - 1] = Long.parseLong(f[i]);
        return values;
    }

    /** This machine kind's own files (procsys-fs's fixture host local-a). */
    static final Map<String, String> HOST = host();

    private static Map<String, String> host() {
        Map<String, String> host = new HashMap<>();
        for (String f : List.of("meminfo", "stat", "cpuinfo", "diskstats")) {
            try {
                host.put(f, Files.readString(Path.of("src/test/data/hosts/local-a", f), StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return host;
    }

    /** Cgroup files held in memory, their directories made from their paths. */
    record MemoryFiles(Map<String, String> files) implements CgroupFiles {
        public String read(String rel) {
            return files.get(rel.startsWith("./") ? rel.substring(2) : rel);
        }

        public List<String> children(String rel) {
            String prefix = rel.equals(".") ? "" : rel + "/";
            List<String> out = new ArrayList<>();
            boolean any = prefix.isEmpty();
            for (String path : files.keySet()) {
                if (!path.startsWith(prefix)) continue;
                any = true;
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                if (slash > 0 && !out.contains(rest.substring(0, slash))) out.add(rest.substring(0, slash));
            }
            return any ? out : null;
        }
    }

    private static String edited(String text, FuzzedDataProvider data) {
        StringBuilder s = new StringBuilder(text);
        int at = data.consumeInt(0, s.length());
        int cut = data.consumeInt(0, Math.min(16, s.length() - at));
        s.replace(at, at + cut, latin1(data.consumeBytes(data.consumeInt(0, 16))));
        return s.toString();
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
