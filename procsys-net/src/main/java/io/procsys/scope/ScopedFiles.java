package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A scope's files on one host from what was read for one rendering (pure but for the CPU clock,
 * which it advances): the host's own files ({@code host}: a file's text, or ErrnoException), the
 * readings of the scope's cgroups, its threads and loads. Each file is the scope's or an
 * ErrnoException that leaves the host out of it.
 */
final class ScopedFiles {
    private ScopedFiles() {}

    static String render(String file, Function<String, String> host, List<CgroupReadings> readings, CpuClock clock,
                         Supplier<ScopedCpus.Threads> threads, Supplier<double[]> loads) {
        return switch (file) {
            case "meminfo" -> ScopedMemory.meminfo(host.apply("meminfo"), readings);
            case "swaps" -> ScopedMemory.swaps(host.apply("meminfo"), readings);
            case "cpuinfo" -> ScopedCpus.cpuinfo(host.apply("cpuinfo"), ScopedCpus.capacity(host.apply("stat"), readings));
            case "stat" -> {
                String hostStat = host.apply("stat");
                ScopedCpus.Capacity capacity = ScopedCpus.capacity(hostStat, readings);
                yield ScopedCpus.stat(hostStat, capacity, times(readings, capacity, host.apply("uptime"), clock), threads.get());
            }
            case "uptime" -> {
                String hostUptime = host.apply("uptime");
                yield ScopedCpus.uptime(hostUptime, times(readings, ScopedCpus.capacity(host.apply("stat"), readings), hostUptime, clock));
            }
            case "loadavg" -> ScopedCpus.loadavg(loads.get(), threads.get());
            case "diskstats" -> ScopedDisks.diskstats(host.apply("diskstats"), readings);
            default -> throw new ErrnoException(Errno.ENOENT, file + " is not a scoped file");
        };
    }

    /** The scope's CPU times now: the cgroups' counters summed, kept monotonic by {@code clock}. */
    private static CpuClock.Times times(List<CgroupReadings> readings, ScopedCpus.Capacity capacity, String hostUptime, CpuClock clock) {
        long[] raw = new long[3];
        for (CgroupReadings c : readings) {
            if (c.cpuTicks() == null) throw new ErrnoException(Errno.ENODATA, c.unknown().stream().filter(u -> u.startsWith("cpu:")).findFirst().orElse("cpu"));
            for (int i = 0; i < 3; i++) raw[i] = Math.max(raw[i], raw[i] + c.cpuTicks()[i]);
        }
        return clock.advance(raw, ScopedCpus.uptimeTicks(hostUptime), capacity.capacity());
    }
}
