package io.procsys.scope;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * What a scope's renderer needs of one of its cgroups, read from the files of whichever cgroup
 * version the host has ({@link CgroupReader}). Amounts are bytes, CPU times clock ticks (USER_HZ,
 * 100 a second). A usage that cannot be told is {@link #UNKNOWN}, with the reason in
 * {@code unknown}: a scoped file that needs it is left out for this host, never filled with the
 * host's figure.
 *
 * @param memoryLimit    smallest memory limit on the path to the root ({@link #NONE}: none)
 * @param memoryUsage    memory charged to the cgroup
 * @param memoryStat     memory.stat in v2's key names (v1's {@code total_*} renamed)
 * @param swapLimit      smallest swap limit on the path ({@link #NONE}: none; {@link #UNKNOWN}: no swap accounting)
 * @param swapUsage      swap charged to the cgroup
 * @param cpuQuota       smallest CPU quota on the path in CPUs ({@code +Infinity}: none)
 * @param cpuCeiling     the same rounded up to whole CPUs ({@code Integer.MAX_VALUE}: none)
 * @param cpuset         CPUs the cgroup may run on (null: every CPU of the host)
 * @param cpuTicks       user, nice and system time ({@code null}: unknown)
 * @param io             per device {@code MAJ:MIN}: reads, writes, discards, read bytes, written bytes, discarded bytes ({@code null}: unknown)
 * @param unknown        why a usage above is unknown, one entry each ("memory: ...", "cpu: ...", "io: ...")
 */
public record CgroupReadings(long memoryLimit, long memoryUsage, Map<String, Long> memoryStat, long swapLimit, long swapUsage,
                             double cpuQuota, int cpuCeiling, BitSet cpuset, long[] cpuTicks, Map<String, long[]> io, List<String> unknown) {
    public static final long NONE = Long.MAX_VALUE, UNKNOWN = -1;
    /** Index of each counter in {@link #io}'s arrays. */
    public static final int READS = 0, WRITES = 1, DISCARDS = 2, READ_BYTES = 3, WRITTEN_BYTES = 4, DISCARDED_BYTES = 5;
    /** Index in {@link #cpuTicks}. */
    public static final int USER = 0, NICE = 1, SYSTEM = 2;

    /** A memory.stat value (0 when the cgroup's version does not have it). */
    public long stat(String key) {
        Long v = memoryStat.get(key);
        return v == null || v < 0 ? 0 : v;
    }

    /** Whether the files that need {@code area} ("memory", "cpu", "io") can be rendered. */
    public boolean knows(String area) {
        return unknown.stream().noneMatch(u -> u.startsWith(area + ":"));
    }
}
