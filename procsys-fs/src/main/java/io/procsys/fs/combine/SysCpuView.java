package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The files of a {@code /sys/devices/system/cpu} that agrees with a cluster's combined
 * {@code cpuinfo} and {@code stat}: glibc's sysconf, lscpu, htop, psutil and sysstat count CPUs
 * there, not in /proc. Pure: combined texts in, relative paths and contents out.
 * <ul>
 *   <li>The CPUs are the {@code cpuN} lines of the combined stat (what top, mpstat and
 *       node_exporter divide by), capped at {@link #MAX_CPUS}.</li>
 *   <li>{@code online}, {@code present}, {@code possible}: {@code 0-(N-1)}; {@code offline},
 *       {@code isolated}: empty; {@code kernel_max}: the larger of 8191 (x86-64's NR_CPUS − 1)
 *       and N − 1.</li>
 *   <li>{@code cpuK/online} is 1; {@code cpuK/topology/} comes from the K-th processor block of
 *       the combined cpuinfo (its {@code physical id}, already unique per host there, and
 *       {@code core id}): siblings are the CPUs of the same package and core, as lists and as
 *       the kernel's hex masks. Without a matching block (the files disagree, or a host's
 *       cpuinfo has no ids, as on many VMs and ARM) a CPU is its own core and package 0.</li>
 * </ul>
 */
public final class SysCpuView {
    /** Most CPUs the view lists: Linux's largest NR_CPUS on x86-64; beyond it the view is cut. */
    public static final int MAX_CPUS = 8192;
    /** Sibling sets (each as NAME_list and NAME mask) of the CPUs of one core, and of one package (one die per package here). */
    private static final List<String> SAME_CORE = List.of("thread_siblings", "core_cpus", "cluster_cpus");
    private static final List<String> SAME_PACKAGE = List.of("core_siblings", "package_cpus", "die_cpus");

    private SysCpuView() {}

    private record Topology(long packageId, long coreId) {}

    /** Relative path → file content ("cpu3/topology/core_id" → "1\n"), in a stable order. */
    public static SequencedMap<String, String> files(String combinedCpuinfo, String combinedStat) {
        int cpus = Math.min(cpuLines(combinedStat), MAX_CPUS);
        List<Topology> blocks = topologies(combinedCpuinfo);
        List<Topology> topology = new ArrayList<>(cpus);
        for (int k = 0; k < cpus; k++) {
            topology.add(blocks.size() == cpus && blocks.get(k) != null ? blocks.get(k) : new Topology(0, k));
        }
        SequencedMap<String, String> files = new LinkedHashMap<>();
        String all = cpus == 0 ? "\n" : cpus == 1 ? "0\n" : "0-" + (cpus - 1) + "\n";
        files.put("online", all);
        files.put("present", all);
        files.put("possible", all);
        files.put("offline", "\n");
        files.put("isolated", "\n");
        files.put("kernel_max", Math.max(MAX_CPUS - 1, cpus - 1) + "\n");
        Map<Long, List<Integer>> byPackage = new TreeMap<>();
        Map<Topology, List<Integer>> byCore = new LinkedHashMap<>();
        for (int k = 0; k < cpus; k++) {
            byPackage.computeIfAbsent(topology.get(k).packageId, p -> new ArrayList<>()).add(k);
            byCore.computeIfAbsent(topology.get(k), t -> new ArrayList<>()).add(k);
        }
        for (int k = 0; k < cpus; k++) {
            Topology t = topology.get(k);
            String dir = "cpu" + k + "/";
            files.put(dir + "online", "1\n");
            String core = list(byCore.get(t)), pkg = list(byPackage.get(t.packageId));
            String coreMask = mask(byCore.get(t), cpus), pkgMask = mask(byPackage.get(t.packageId), cpus);
            files.put(dir + "topology/physical_package_id", t.packageId + "\n");
            files.put(dir + "topology/die_id", "0\n");
            files.put(dir + "topology/core_id", t.coreId + "\n");
            files.put(dir + "topology/cluster_id", t.coreId + "\n");
            for (String siblings : SAME_CORE) {
                files.put(dir + "topology/" + siblings + "_list", core);
                files.put(dir + "topology/" + siblings, coreMask);
            }
            for (String siblings : SAME_PACKAGE) {
                files.put(dir + "topology/" + siblings + "_list", pkg);
                files.put(dir + "topology/" + siblings, pkgMask);
            }
        }
        return files;
    }

    /** The number of {@code cpuN} lines of a stat text. */
    static int cpuLines(String stat) {
        int n = 0;
        for (String line : Text.lines(stat)) {
            if (line.length() > 3 && line.startsWith("cpu") && Character.isDigit(line.charAt(3))) n++;
        }
        return n;
    }

    /** Each processor block's ids, in order (null entries for blocks whose ids are not numbers). */
    static List<Topology> topologies(String cpuinfo) {
        List<Topology> blocks = new ArrayList<>();
        long packageId = 0, coreId = -1;
        boolean inBlock = false, bad = false;
        for (String line : Text.lines(cpuinfo + "\n")) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? "" : line.substring(0, colon).strip();
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            if (key.equals("processor")) {
                if (inBlock) blocks.add(bad ? null : new Topology(packageId, coreId < 0 ? blocks.size() : coreId));
                inBlock = true;
                bad = false;
                packageId = 0;
                coreId = -1;
            } else if (key.equals("physical id") || key.equals("core id")) {
                try {
                    long v = Long.parseLong(value);
                    if (key.equals("physical id")) packageId = v;
                    else coreId = v;
                } catch (NumberFormatException e) {
                    bad = true;
                }
            }
        }
        if (inBlock) blocks.add(bad ? null : new Topology(packageId, coreId < 0 ? blocks.size() : coreId));
        return blocks;
    }

    /** CPU numbers as the kernel lists them: "0-3,8,10-11". */
    static String list(List<Integer> cpus) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cpus.size(); ) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) j++;
            if (!out.isEmpty()) out.append(',');
            out.append(cpus.get(i));
            if (j > i) out.append('-').append(cpus.get(j));
            i = j + 1;
        }
        return out.append('\n').toString();
    }

    /** CPU numbers as the kernel's mask: 32-bit hex words, most significant first, comma-separated. */
    static String mask(List<Integer> cpus, int total) {
        int words = Math.max(1, (total + 31) / 32);
        long[] bits = new long[words];
        for (int cpu : cpus) bits[cpu / 32] |= 1L << (cpu % 32);
        StringBuilder out = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            if (!out.isEmpty()) out.append(',');
            out.append(String.format("%08x", bits[w]));
        }
        return out.append('\n').toString();
    }
}
