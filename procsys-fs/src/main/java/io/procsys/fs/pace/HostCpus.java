package io.procsys.fs.pace;

/** How many CPUs a host has, from its /proc/stat: its {@code cpuN} lines. */
public final class HostCpus {
    private HostCpus() {}

    /** The number of {@code cpuN} lines of {@code procStat}; 0 when it has none (unknown). */
    public static int of(String procStat) {
        int cpus = 0;
        for (int at = procStat.indexOf("\ncpu"); at >= 0; at = procStat.indexOf("\ncpu", at + 4)) {
            if (at + 4 < procStat.length() && Character.isDigit(procStat.charAt(at + 4))) cpus++;
        }
        return cpus;
    }
}
