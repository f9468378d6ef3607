package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A scope's cpuinfo, stat, uptime and loadavg on one host (pure: text in, text out). Its CPUs:
 * N = min(ceil of the smallest quota on the path, cpuset size) per cgroup, summed over the
 * scope's cgroups and cut to the CPUs they may use together; its capacity E is the same without
 * the rounding up. docs/scope.md has the rules.
 */
final class ScopedCpus {
    /** The CPUs of a scope on one host: the host CPU numbers it is shown (N of them) and its capacity in CPUs. */
    record Capacity(int[] cpus, double capacity) {
        int count() {
            return cpus.length;
        }
    }

    /** Threads of the scope now: running (R), in uninterruptible sleep (D), all, and the highest id. */
    record Threads(int running, int blocked, int total, int lastId) {}

    private ScopedCpus() {}

    static Capacity capacity(String hostStat, List<CgroupReadings> cgroups) {
        BitSet host = onlineCpus(hostStat);
        if (host.isEmpty()) throw new ErrnoException(Errno.ENODATA, "the host's stat has no cpuN line");
        BitSet union = new BitSet();
        long count = 0;
        double capacity = 0;
        for (CgroupReadings c : cgroups) {
            BitSet usable = (BitSet) host.clone();
            if (c.cpuset() != null) usable.and(c.cpuset());
            union.or(usable);
            count += Math.min(c.cpuCeiling(), usable.cardinality());
            capacity += Math.min(c.cpuQuota(), usable.cardinality());
        }
        if (union.isEmpty()) throw new ErrnoException(Errno.ENODATA, "the scope's cpusets name no CPU the host has online");
        int n = (int) Math.max(1, Math.min(count, union.cardinality()));
        return new Capacity(union.stream().limit(n).toArray(), Math.min(capacity, union.cardinality()));
    }

    /** The CPU numbers of the host's cpuN lines. */
    static BitSet onlineCpus(String hostStat) {
        BitSet cpus = new BitSet();
        for (String line : hostStat.split("\n")) {
            if (!line.startsWith("cpu") || line.length() < 4 || !Character.isDigit(line.charAt(3))) continue;
            int space = line.indexOf(' ');
            long cpu = CgroupReader.number(space < 0 ? "" : line.substring(3, space));
            if (cpu < CgroupReader.MAX_CPUS) cpus.set((int) cpu);
        }
        return cpus;
    }

    /** The host's blocks of the scope's CPUs, numbered 0..N-1. */
    static String cpuinfo(String hostCpuinfo, Capacity capacity) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int cpu : capacity.cpus()) {
            String block = blockOf(hostCpuinfo, cpu);
            if (block == null) throw new ErrnoException(Errno.ENODATA, "the host's cpuinfo has no processor " + cpu);
            out.append(block.replaceFirst("(?m)^processor(\\s*):\\s*\\d+", "processor$1: " + shown++)).append("\n\n");
        }
        return out.toString();
    }

    /** The block of cpuinfo starting with "processor : CPU" (without its blank line), or null. */
    private static String blockOf(String cpuinfo, int cpu) {
        for (String block : cpuinfo.split("\n\n")) {
            String first = block.strip().lines().findFirst().orElse("");
            int colon = first.indexOf(':');
            if (first.startsWith("processor") && colon > 0 && CgroupReader.number(first.substring(colon + 1)) == cpu) return block.strip();
        }
        return null;
    }

    /**
     * stat: the scope's CPU times spread over its N CPUs, its running and blocked threads;
     * btime is the host's (ps computes start times from it); interrupts, context switches, forks and
     * softirqs cannot be told per cgroup and read 0.
     */
    static String stat(String hostStat, Capacity capacity, CpuClock.Times times, Threads threads) {
        StringBuilder out = new StringBuilder();
        int columns = 0;
        for (String line : hostStat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("cpu")) {
                columns = Math.max(4, Math.min(10, f.length - 1));
                cpuLine(out, "cpu ", times, columns, 1, 0);
                for (int i = 0; i < capacity.count(); i++) cpuLine(out, "cpu" + i, times, columns, capacity.count(), i);
            } else if (!f[0].startsWith("cpu") && !f[0].isEmpty()) {
                out.append(otherLine(f, threads)).append('\n');
            }
        }
        if (columns == 0) throw new ErrnoException(Errno.ENODATA, "the host's stat has no cpu line");
        return out.toString();
    }

    private static void cpuLine(StringBuilder out, String name, CpuClock.Times t, int columns, int cpus, int cpu) {
        long[] values = {share(t.user(), cpus, cpu), share(t.nice(), cpus, cpu), share(t.system(), cpus, cpu), share(t.idle(), cpus, cpu)};
        out.append(name);
        for (int i = 0; i < columns; i++) out.append(' ').append(i < values.length ? values[i] : 0);
        out.append('\n');
    }

    /** CPU {@code cpu}'s part of {@code total} over {@code cpus}: the parts add up to it, and each grows with it. */
    static long share(long total, int cpus, int cpu) {
        return (total + cpus - 1 - cpu) / cpus;
    }

    private static String otherLine(String[] f, Threads threads) {
        return switch (f[0]) {
            case "btime" -> String.join(" ", f);
            case "procs_running" -> "procs_running " + threads.running();
            case "procs_blocked" -> "procs_blocked " + threads.blocked();
            case "intr" -> "intr 0";
            default -> {
                List<String> zeros = new ArrayList<>(List.of(f[0]));
                for (int i = 1; i < f.length; i++) zeros.add("0");
                yield String.join(" ", zeros);
            }
        };
    }

    /** uptime: the host's uptime (ps's elapsed times need it), and the scope's idle CPU time. */
    static String uptime(String hostUptime, CpuClock.Times times) {
        String[] f = hostUptime.trim().split("\\s+");
        if (f.length != 2 || !f[0].matches("\\d{1,12}\\.\\d{2}")) throw new ErrnoException(Errno.ENODATA, "the host's uptime is not two numbers");
        return f[0] + " " + times.idle() / 100 + "." + String.format(Locale.ROOT, "%02d", times.idle() % 100) + "\n";
    }

    /** The host's uptime in ticks (hundredths of a second), from its uptime file. */
    static long uptimeTicks(String hostUptime) {
        String first = hostUptime.trim().split("\\s+")[0];
        int dot = first.indexOf('.');
        if (dot < 0 || first.length() != dot + 3) throw new ErrnoException(Errno.ENODATA, "the host's uptime is not N.NN");
        long ticks = CgroupReader.number(first.substring(0, dot) + first.substring(dot + 1));
        if (ticks == CgroupReadings.NONE) throw new ErrnoException(Errno.ENODATA, "the host's uptime is not N.NN");
        return ticks;
    }

    /** loadavg: the scope's loads, its running threads over all its threads, its highest thread id. */
    static String loadavg(double[] loads, Threads threads) {
        return String.format(Locale.ROOT, "%s %s %s %d/%d %d\n", load(loads[0]), load(loads[1]), load(loads[2]),
                threads.running(), threads.total(), threads.lastId());
    }

    /** A load as the kernel prints it: two decimals, cut (not rounded). */
    private static String load(double value) {
        long hundredths = (long) Math.floor(Math.max(0, value) * 100 + 1e-9);
        return hundredths / 100 + "." + String.format(Locale.ROOT, "%02d", hundredths % 100);
    }
}
