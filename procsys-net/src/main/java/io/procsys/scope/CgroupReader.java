package io.procsys.scope;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Reads a scope cgroup's {@link CgroupReadings} from the files of the host's cgroup version
 * (docs/scope.md has the table). On v1 each controller has a hierarchy of its own, where the
 * scope's processes may sit elsewhere than in the membership hierarchy (systemd makes a unit's
 * cgroup only in the controllers it accounts): a controller's cgroup is the scope's path when it
 * exists there, else the one a member's {@code /proc/PID/cgroup} names. Limits are taken from
 * that cgroup and its ancestors whatever it is; usage only when it is the scope's cgroup or below
 * it (an ancestor's usage counts other processes too).
 */
final class CgroupReader {
    /** Larger than any real limit: v1's "unlimited" (PAGE_COUNTER_MAX pages) and beyond mean none. */
    static final long UNLIMITED = 1L << 62;
    /** Most CPUs of a cpuset (x86-64's largest NR_CPUS). */
    static final int MAX_CPUS = 8192;

    private final CgroupFiles tree;
    private final Hierarchies hierarchies;
    /** A process's /proc/PID/cgroup text, or null. */
    private final IntFunction<String> cgroupOfProcess;

    CgroupReader(CgroupFiles tree, Hierarchies hierarchies, IntFunction<String> cgroupOfProcess) {
        this.tree = tree;
        this.hierarchies = hierarchies;
        this.cgroupOfProcess = cgroupOfProcess;
    }

    /** A controller's cgroup for a target: where its files are, and whether its usage is the scope's. */
    private record Place(String dir, String path, boolean usage) {
        String file(String name) {
            return CgroupTree.join(dir, path, name);
        }
    }

    CgroupReadings read(ScopeResolver.Target target, Members members) {
        List<String> unknown = new ArrayList<>();
        Memory memory = hierarchies.v2() ? memoryV2(target.path(), unknown) : memoryV1(place("memory", target, members), unknown);
        Place cpu = hierarchies.v2() ? new Place("", target.path(), true) : place("cpu", target, members);
        long[] quota = cpu == null ? new long[]{Integer.MAX_VALUE, 0} : quota(cpu);
        double quotaCpus = quota[1] == 0 ? Double.POSITIVE_INFINITY : (double) quota[0] / quota[1];
        int ceiling = quota[1] == 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, (quota[0] + quota[1] - 1) / quota[1]);
        return new CgroupReadings(memory.limit, memory.usage, memory.stat, memory.swapLimit, memory.swapUsage, quotaCpus, Math.max(1, ceiling),
                cpuset(target, members), cpuTicks(target, members, unknown), io(target, members, unknown), List.copyOf(unknown));
    }

    /** Where {@code controller}'s files for {@code target} are (v1, hybrid), or null when the host does not mount it. */
    private Place place(String controller, ScopeResolver.Target target, Members members) {
        String dir = hierarchies.dir(controller);
        if (dir == null) return null;
        if (target.hierarchy().equals(controller) || tree.exists(CgroupTree.join(dir, target.path(), ""))) return new Place(dir, target.path(), true);
        String own = members.pids().length == 0 ? null : cgroupOfProcess.apply(members.pids()[0]);
        String path = own == null ? null : CgroupLines.pathIn(own, controller);
        if (path != null) return new Place(dir, path, CgroupLines.within(path, target.path()));
        String ancestor = target.path();
        while (!ancestor.equals("/") && !tree.exists(CgroupTree.join(dir, ancestor, ""))) ancestor = parent(ancestor);
        return new Place(dir, ancestor, false);
    }

    /** {@code path} and its ancestors, the root last. */
    static List<String> upToRoot(String path) {
        List<String> out = new ArrayList<>();
        for (String p = path; ; p = parent(p)) {
            out.add(p);
            if (p.equals("/")) return out;
        }
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private record Memory(long limit, long usage, Map<String, Long> stat, long swapLimit, long swapUsage) {}

    private Memory memoryV2(String path, List<String> unknown) {
        long limit = CgroupReadings.NONE, swapLimit = CgroupReadings.NONE;
        for (String p : upToRoot(path)) {
            limit = Math.min(limit, number(tree.read(CgroupTree.join("", p, "memory.max"))));
            swapLimit = Math.min(swapLimit, number(tree.read(CgroupTree.join("", p, "memory.swap.max"))));
        }
        long usage = number(tree.read(CgroupTree.join("", path, "memory.current")));
        if (usage == CgroupReadings.NONE) {
            unknown.add("memory: the memory controller is not enabled for " + path);
            usage = CgroupReadings.UNKNOWN;
        }
        long swapUsage = number(tree.read(CgroupTree.join("", path, "memory.swap.current")));
        if (swapUsage == CgroupReadings.NONE) swapLimit = swapUsage = CgroupReadings.UNKNOWN; // no swap accounting
        return new Memory(limit, usage, keyValues(tree.read(CgroupTree.join("", path, "memory.stat")), ""), swapLimit, swapUsage);
    }

    private Memory memoryV1(Place memory, List<String> unknown) {
        if (memory == null) {
            unknown.add("memory: no memory hierarchy on this host");
            return new Memory(CgroupReadings.NONE, CgroupReadings.UNKNOWN, Map.of(), CgroupReadings.UNKNOWN, CgroupReadings.UNKNOWN);
        }
        Map<String, Long> stat = keyValues(tree.read(memory.file("memory.stat")), "total_");
        long limit = Math.min(stat.getOrDefault("hierarchical_memory_limit", CgroupReadings.NONE), CgroupReadings.NONE);
        long memsw = stat.getOrDefault("hierarchical_memsw_limit", CgroupReadings.NONE);
        for (String p : upToRoot(memory.path())) {
            limit = Math.min(limit, number(tree.read(CgroupTree.join(memory.dir(), p, "memory.limit_in_bytes"))));
            memsw = Math.min(memsw, number(tree.read(CgroupTree.join(memory.dir(), p, "memory.memsw.limit_in_bytes"))));
        }
        limit = limit >= UNLIMITED ? CgroupReadings.NONE : limit;
        long usage = number(tree.read(memory.file("memory.usage_in_bytes")));
        if (!memory.usage() || usage == CgroupReadings.NONE) {
            unknown.add("memory: " + (memory.usage() ? "no memory.usage_in_bytes in " : "the memory cgroup of the scope's processes is above it: ") + memory.path());
            return new Memory(limit, CgroupReadings.UNKNOWN, Map.of(), CgroupReadings.UNKNOWN, CgroupReadings.UNKNOWN);
        }
        long memswUsage = number(tree.read(memory.file("memory.memsw.usage_in_bytes")));
        if (memswUsage == CgroupReadings.NONE) return new Memory(limit, usage, stat, CgroupReadings.UNKNOWN, CgroupReadings.UNKNOWN); // no swap accounting
        long swapLimit = memsw >= UNLIMITED || limit == CgroupReadings.NONE ? CgroupReadings.NONE : Math.max(0, memsw - limit);
        return new Memory(limit, usage, stat, swapLimit, Math.max(0, memswUsage - usage));
    }

    /** The smallest quota on the path as {quota, period} (period 0: none). */
    private long[] quota(Place cpu) {
        long[] best = {Integer.MAX_VALUE, 0};
        for (String p : upToRoot(cpu.path())) {
            long[] q = hierarchies.v2() ? cpuMax(tree.read(CgroupTree.join("", p, "cpu.max")))
                    : new long[]{number(tree.read(CgroupTree.join(cpu.dir(), p, "cpu.cfs_quota_us"))), number(tree.read(CgroupTree.join(cpu.dir(), p, "cpu.cfs_period_us")))};
            boolean limited = q[0] > 0 && q[0] < CgroupReadings.NONE && q[1] > 0 && q[1] < CgroupReadings.NONE;
            if (limited && (best[1] == 0 || (double) q[0] / q[1] < (double) best[0] / best[1])) best = q;
        }
        return best;
    }

    /** cpu.max: "max 100000" or "50000 100000". */
    static long[] cpuMax(String text) {
        if (text == null) return new long[]{-1, 0};
        String[] f = text.trim().split("\\s+");
        return f.length != 2 ? new long[]{-1, 0} : new long[]{number(f[0]), number(f[1])};
    }

    private BitSet cpuset(ScopeResolver.Target target, Members members) {
        if (hierarchies.v2()) {
            for (String p : upToRoot(target.path())) {
                BitSet cpus = cpuList(tree.read(CgroupTree.join("", p, "cpuset.cpus.effective")));
                if (cpus != null) return cpus;
            }
            return null;
        }
        Place cpuset = place("cpuset", target, members);
        if (cpuset == null) return null;
        BitSet cpus = cpuList(tree.read(cpuset.file("cpuset.effective_cpus")));
        return cpus != null ? cpus : cpuList(tree.read(cpuset.file("cpuset.cpus")));
    }

    /** "0-3,5" as a set; null for an absent, empty or malformed list. */
    static BitSet cpuList(String text) {
        if (text == null || text.isBlank()) return null;
        BitSet cpus = new BitSet();
        for (String range : text.trim().split(",")) {
            String[] ends = range.split("-", -1);
            long first = number(ends[0]), last = ends.length == 2 ? number(ends[1]) : first;
            if (ends.length > 2 || first >= MAX_CPUS || last >= MAX_CPUS || first > last) return null;
            cpus.set((int) first, (int) last + 1);
        }
        return cpus.isEmpty() ? null : cpus;
    }

    private long[] cpuTicks(ScopeResolver.Target target, Members members, List<String> unknown) {
        if (hierarchies.v2()) return cpuStat(tree.read(CgroupTree.join("", target.path(), "cpu.stat")), unknown, target.path());
        Place cpuacct = place("cpuacct", target, members);
        if (cpuacct != null && cpuacct.usage()) {
            Map<String, Long> stat = keyValues(tree.read(cpuacct.file("cpuacct.stat")), "");
            if (stat.containsKey("user") && stat.containsKey("system")) return new long[]{stat.get("user"), 0, stat.get("system")};
        }
        String unified = hierarchies.dir(Hierarchies.UNIFIED);
        if (unified != null && tree.exists(CgroupTree.join(unified, target.path(), ""))) {
            return cpuStat(tree.read(CgroupTree.join(unified, target.path(), "cpu.stat")), unknown, target.path());
        }
        unknown.add("cpu: " + (cpuacct == null ? "no cpuacct hierarchy on this host" : "the cpuacct cgroup of the scope's processes is above it: " + cpuacct.path()));
        return null;
    }

    /** v2's cpu.stat (microseconds) as ticks; user excludes nice, as /proc/stat's does. */
    private static long[] cpuStat(String text, List<String> unknown, String path) {
        Map<String, Long> stat = keyValues(text, "");
        if (!stat.containsKey("user_usec") || !stat.containsKey("system_usec")) {
            unknown.add("cpu: no cpu.stat in " + path);
            return null;
        }
        long nice = stat.getOrDefault("nice_usec", 0L) / 10_000;
        return new long[]{Math.max(0, stat.get("user_usec") / 10_000 - nice), nice, stat.get("system_usec") / 10_000};
    }

    private Map<String, long[]> io(ScopeResolver.Target target, Members members, List<String> unknown) {
        if (hierarchies.v2()) {
            String text = tree.read(CgroupTree.join("", target.path(), "io.stat"));
            if (text == null) unknown.add("io: the io controller is not enabled for " + target.path());
            return text == null ? null : ioStat(text);
        }
        Place blkio = place("blkio", target, members);
        String serviced = blkio == null || !blkio.usage() ? null : tree.read(blkio.file("blkio.throttle.io_serviced_recursive"));
        String bytes = serviced == null ? null : tree.read(blkio.file("blkio.throttle.io_service_bytes_recursive"));
        if (bytes == null) {
            unknown.add("io: " + (blkio == null ? "no blkio hierarchy on this host" : blkio.usage() ? "no blkio.throttle files in " + blkio.path()
                    : "the blkio cgroup of the scope's processes is above it: " + blkio.path()));
            return null;
        }
        Map<String, long[]> io = new HashMap<>();
        throttle(serviced, io, CgroupReadings.READS);
        throttle(bytes, io, CgroupReadings.READ_BYTES);
        return io;
    }

    /** v2's io.stat: "8:0 rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
    static Map<String, long[]> ioStat(String text) {
        Map<String, long[]> io = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || !f[0].matches("\\d{1,9}:\\d{1,9}")) continue;
            long[] c = io.computeIfAbsent(f[0], d -> new long[6]);
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq < 0) continue;
                int at = switch (f[i].substring(0, eq)) {
                    case "rios" -> CgroupReadings.READS;
                    case "wios" -> CgroupReadings.WRITES;
                    case "dios" -> CgroupReadings.DISCARDS;
                    case "rbytes" -> CgroupReadings.READ_BYTES;
                    case "wbytes" -> CgroupReadings.WRITTEN_BYTES;
                    case "dbytes" -> CgroupReadings.DISCARDED_BYTES;
                    default -> -1;
                };
                long v = number(f[i].substring(eq + 1));
                if (at >= 0 && v != CgroupReadings.NONE) c[at] = v;
            }
        }
        return io;
    }

    /** v1's blkio.throttle.*_recursive: "8:0 Read N", "8:0 Write N", "8:0 Discard N" (Sync, Async, Total and the last "Total N" skipped). */
    static void throttle(String text, Map<String, long[]> io, int first) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || !f[0].matches("\\d{1,9}:\\d{1,9}")) continue;
            int at = switch (f[1]) {
                case "Read" -> first;
                case "Write" -> first + 1;
                case "Discard" -> first + 2;
                default -> -1;
            };
            long v = number(f[2]);
            if (at >= 0 && v != CgroupReadings.NONE) io.computeIfAbsent(f[0], d -> new long[6])[at] = v;
        }
    }

    /** "key value" lines (memory.stat, cpu.stat, cpuacct.stat) with {@code prefix} stripped from the keys that have it (v1's total_*), in v2's names. */
    static Map<String, Long> keyValues(String text, String prefix) {
        Map<String, Long> out = new HashMap<>();
        if (text == null) return out;
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) continue;
            long v = number(line.substring(space + 1));
            if (v == CgroupReadings.NONE) continue;
            String key = line.substring(0, space);
            if (!prefix.isEmpty()) {
                if (key.startsWith(prefix)) key = V1_NAMES.getOrDefault(key.substring(prefix.length()), key.substring(prefix.length()));
                else if (!key.startsWith("hierarchical_")) continue; // the cgroup's own, without its children: the totals count
            }
            out.put(key, v);
        }
        return out;
    }

    /** v1 memory.stat names (after total_) as v2 calls them. */
    static final Map<String, String> V1_NAMES = Map.of("cache", "file", "rss", "anon", "rss_huge", "anon_thp", "mapped_file", "file_mapped",
            "dirty", "file_dirty", "writeback", "file_writeback", "swap", "swap_v1");

    /** A non-negative decimal (surrounding blanks allowed), or {@link CgroupReadings#NONE} for "max", absent and anything else. */
    static long number(String text) {
        if (text == null) return CgroupReadings.NONE;
        String t = text.strip();
        if (t.isEmpty() || t.length() > 19) return CgroupReadings.NONE;
        long v = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') return CgroupReadings.NONE;
            v = v * 10 + (c - '0');
            if (v < 0) return CgroupReadings.NONE;
        }
        return v;
    }
}
