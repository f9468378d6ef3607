package io.procsys.history;

/** Fields of a {@code /proc/PID/stat} line, counted after the command name (which may hold spaces and parentheses). */
final class ProcStat {
    private ProcStat() {}

    /** Field {@code n} (≥ 3, numbered as in proc(5)) as a number ≥ 0, or -1 when it is none. */
    static long field(byte[] stat, int n) {
        int at = stat.length - 1;
        while (at >= 0 && stat[at] != ')') at--;
        if (at < 0) return -1;
        int field = 2;
        long value = -1;
        for (at++; at < stat.length; at++) {
            byte b = stat[at];
            if (b == ' ' || b == '\n') {
                if (field == n && value >= 0) return value;
                if (b == '\n') return -1;
                field++;
                value = -1;
            } else if (field == n) {
                if (b < '0' || b > '9' || value > Long.MAX_VALUE / 10) return -1;
                value = Math.max(0, value) * 10 + (b - '0');
            }
        }
        return field == n ? value : -1;
    }

    /** The command name: the bytes between the first '(' and the last ')' (empty when there are none). */
    static byte[] command(byte[] stat) {
        int open = 0, close = stat.length - 1;
        while (open < stat.length && stat[open] != '(') open++;
        while (close > open && stat[close] != ')') close--;
        return open >= close ? new byte[0] : java.util.Arrays.copyOfRange(stat, open + 1, close);
    }

    /** Field 22: the start time, in clock ticks after boot. */
    static long startTime(byte[] stat) {
        return field(stat, 22);
    }
}
