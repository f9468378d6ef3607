package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A scope's meminfo and swaps on one host (pure). MemTotal is the smallest limit on the path to
 * the root, at most the host's; the other amounts come from memory.stat, summed over the scope's
 * cgroups; nothing is ever negative. Properties of the host (Hugepagesize, VmallocTotal) stay;
 * host-wide amounts that no cgroup file tells (CommitLimit, HugePages_*, DirectMap*, ...) read 0.
 */
final class ScopedMemory {
    /** The line the kernel's /proc/swaps starts with. */
    static final String SWAPS_HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    /** Kept as the host's: what the machine is, not what it holds. */
    static final List<String> PROPERTIES = List.of("Hugepagesize", "VmallocTotal");

    private ScopedMemory() {}

    /** The scope's memory in kB, as meminfo names it. */
    private record Amounts(long total, long free, long available, long swapTotal, long swapFree, Map<String, Long> stat) {}

    static String meminfo(String hostMeminfo, List<CgroupReadings> cgroups) {
        Amounts a = amounts(hostMeminfo, cgroups);
        StringBuilder out = new StringBuilder();
        for (String line : hostMeminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String key = line.substring(0, colon);
            boolean kb = line.endsWith(" kB");
            long value = PROPERTIES.contains(key) ? Math.max(0, hostValue(hostMeminfo, key)) : value(key, a);
            out.append(String.format(Locale.ROOT, "%-16s%8d", key + ":", value)).append(kb ? " kB\n" : "\n");
        }
        return out.toString();
    }

    private static long value(String key, Amounts a) {
        return switch (key) {
            case "MemTotal" -> a.total;
            case "MemFree" -> a.free;
            case "MemAvailable" -> a.available;
            case "SwapTotal" -> a.swapTotal;
            case "SwapFree" -> a.swapFree;
            default -> {
                String[] from = FROM_STAT.get(key);
                long sum = 0;
                if (from != null) for (String k : from) sum += a.stat.getOrDefault(k, 0L);
                yield sum;
            }
        };
    }

    /** meminfo lines summed from memory.stat keys (v2's names; v1's renamed by CgroupReader). */
    static final Map<String, String[]> FROM_STAT = Map.ofEntries(
            Map.entry("Cached", new String[]{"file"}), Map.entry("SwapCached", new String[]{"swapcached"}),
            Map.entry("Active", new String[]{"active_anon", "active_file"}), Map.entry("Inactive", new String[]{"inactive_anon", "inactive_file"}),
            Map.entry("Active(anon)", new String[]{"active_anon"}), Map.entry("Inactive(anon)", new String[]{"inactive_anon"}),
            Map.entry("Active(file)", new String[]{"active_file"}), Map.entry("Inactive(file)", new String[]{"inactive_file"}),
            Map.entry("Unevictable", new String[]{"unevictable"}), Map.entry("Zswap", new String[]{"zswap"}), Map.entry("Zswapped", new String[]{"zswapped"}),
            Map.entry("Dirty", new String[]{"file_dirty"}), Map.entry("Writeback", new String[]{"file_writeback"}),
            Map.entry("AnonPages", new String[]{"anon"}), Map.entry("Mapped", new String[]{"file_mapped"}), Map.entry("Shmem", new String[]{"shmem"}),
            Map.entry("KReclaimable", new String[]{"slab_reclaimable"}), Map.entry("Slab", new String[]{"slab_reclaimable", "slab_unreclaimable"}),
            Map.entry("SReclaimable", new String[]{"slab_reclaimable"}), Map.entry("SUnreclaim", new String[]{"slab_unreclaimable"}),
            Map.entry("KernelStack", new String[]{"kernel_stack"}), Map.entry("PageTables", new String[]{"pagetables"}),
            Map.entry("SecPageTables", new String[]{"sec_pagetables"}), Map.entry("Percpu", new String[]{"percpu"}),
            Map.entry("AnonHugePages", new String[]{"anon_thp"}), Map.entry("ShmemHugePages", new String[]{"shmem_thp"}),
            Map.entry("FileHugePages", new String[]{"file_thp"}));

    private static Amounts amounts(String hostMeminfo, List<CgroupReadings> cgroups) {
        long hostTotal = hostValue(hostMeminfo, "MemTotal");
        long hostSwap = Math.max(0, hostValue(hostMeminfo, "SwapTotal"));
        if (hostTotal <= 0) throw new ErrnoException(Errno.ENODATA, "the host's meminfo has no MemTotal");
        long limits = 0, usage = 0, swapLimits = 0, swapUsage = 0;
        boolean swapAccounted = true;
        Map<String, Long> stat = new java.util.HashMap<>();
        for (CgroupReadings c : cgroups) {
            if (!c.knows("memory")) throw new ErrnoException(Errno.ENODATA, firstUnknown(c, "memory"));
            limits = saturated(limits, Math.min(kb(c.memoryLimit()), hostTotal));
            usage = saturated(usage, kb(c.memoryUsage()));
            for (Map.Entry<String, Long> e : c.memoryStat().entrySet()) stat.merge(e.getKey(), kb(Math.max(0, e.getValue())), ScopedMemory::saturated);
            swapAccounted &= c.swapLimit() != CgroupReadings.UNKNOWN;
            swapLimits = saturated(swapLimits, Math.min(kb(c.swapLimit()), hostSwap));
            swapUsage = saturated(swapUsage, kb(Math.max(0, c.swapUsage())));
        }
        long total = Math.min(limits, hostTotal);
        long free = Math.max(0, total - usage);
        long reclaimable = sum(stat, s -> s.getOrDefault("active_file", 0L), s -> s.getOrDefault("inactive_file", 0L), s -> s.getOrDefault("slab_reclaimable", 0L));
        long available = Math.min(total, saturated(free, reclaimable));
        long swapTotal = swapAccounted ? Math.min(swapLimits, hostSwap) : 0;
        return new Amounts(total, free, available, swapTotal, Math.max(0, swapTotal - swapUsage), stat);
    }

    /** swaps: one virtual area of the scope's swap, when it has any. */
    static String swaps(String hostMeminfo, List<CgroupReadings> cgroups) {
        Amounts a = amounts(hostMeminfo, cgroups);
        if (a.swapTotal == 0) return SWAPS_HEADER;
        return SWAPS_HEADER + String.format(Locale.ROOT, "%-40s%s\t\t%d\t\t%d\t\t%d\n", "none", "virtual", a.swapTotal, a.swapTotal - a.swapFree, 0);
    }

    private static String firstUnknown(CgroupReadings c, String area) {
        return c.unknown().stream().filter(u -> u.startsWith(area + ":")).findFirst().orElse(area);
    }

    /** Bytes as kB; {@link CgroupReadings#NONE} stays none (the largest value). */
    private static long kb(long bytes) {
        return bytes == CgroupReadings.NONE ? Long.MAX_VALUE : Math.max(0, bytes) / 1024;
    }

    @SafeVarargs
    private static long sum(Map<String, Long> stat, ToLongFunction<Map<String, Long>>... parts) {
        long s = 0;
        for (var p : parts) s = saturated(s, p.applyAsLong(stat));
        return s;
    }

    private static long saturated(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    /** The value of {@code key} in the host's meminfo (kB), or -1. */
    static long hostValue(String meminfo, String key) {
        for (String line : meminfo.split("\n")) {
            if (!line.startsWith(key + ":")) continue;
            String v = line.substring(key.length() + 1).trim();
            if (v.endsWith(" kB")) v = v.substring(0, v.length() - 3);
            long n = CgroupReader.number(v);
            return n == CgroupReadings.NONE ? -1 : n;
        }
        return -1;
    }
}
