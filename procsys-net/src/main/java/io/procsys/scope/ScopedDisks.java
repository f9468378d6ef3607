package io.procsys.scope;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope's diskstats on one host (pure): one row per disk of the host's diskstats that the
 * scope's cgroups did I/O on (v2 io.stat, v1 blkio.throttle.*_recursive, summed over them), with
 * the host's device numbers, name and field count. Requests and sectors are the cgroups'; merges,
 * times and in-flight requests are not kept per cgroup and read 0. A cgroup whose I/O the kernel
 * does not account (v2 without the io controller, as systemd leaves a unit without
 * IOAccounting=yes) shows no disk: nothing of its I/O is known, and the host's rows are never
 * shown in its place; procsys status says so.
 */
final class ScopedDisks {
    private ScopedDisks() {}

    static String diskstats(String hostDiskstats, List<CgroupReadings> cgroups) {
        Map<String, long[]> io = new HashMap<>();
        for (CgroupReadings c : cgroups) {
            if (!c.knows("io")) continue;
            for (Map.Entry<String, long[]> e : c.io().entrySet()) {
                long[] sum = io.computeIfAbsent(e.getKey(), d -> new long[6]);
                for (int i = 0; i < 6; i++) sum[i] = Math.max(sum[i], sum[i] + Math.max(0, e.getValue()[i]));
            }
        }
        StringBuilder out = new StringBuilder();
        for (String line : hostDiskstats.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 14) continue;
            long[] c = io.get(f[0] + ":" + f[1]);
            if (c == null || java.util.Arrays.stream(c).allMatch(v -> v == 0)) continue;
            out.append(row(f, c));
        }
        return out.toString();
    }

    /** A row as the kernel prints it, with the host row's device and field count, the scope's counters. */
    private static String row(String[] host, long[] c) {
        long[] fields = new long[host.length - 3];
        fields[0] = c[CgroupReadings.READS];
        fields[2] = c[CgroupReadings.READ_BYTES] / 512;
        fields[4] = c[CgroupReadings.WRITES];
        fields[6] = c[CgroupReadings.WRITTEN_BYTES] / 512;
        if (fields.length >= 15) {
            fields[11] = c[CgroupReadings.DISCARDS];
            fields[13] = c[CgroupReadings.DISCARDED_BYTES] / 512;
        }
        StringBuilder row = new StringBuilder(String.format(java.util.Locale.ROOT, "%4s %7s %s", host[0], host[1], host[2]));
        for (long v : fields) row.append(' ').append(v);
        return row.append('\n').toString();
    }
}
