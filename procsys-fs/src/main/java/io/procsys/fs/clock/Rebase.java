package io.procsys.fs.clock;

/**
 * The texts the view rewrites onto its clock (docs/aggregation.md, "btime and start times"): a
 * process's start time (field 22 of stat, in ticks since its host's boot) moved onto the view's
 * boot, and the combined btime and uptime made from the view's boot. Text that does not parse is
 * returned as it is.
 */
public final class Rebase {
    /** USER_HZ: /proc counts start times in these ticks on every Linux host. */
    public static final long TICKS_PER_SECOND = 100;

    private Rebase() {}

    /**
     * Seconds to add to the start times of a host booted at {@code hostBootMillis}, in a view
     * booted at {@code viewBootMillis}: whole seconds (a measurement's noise never moves a start
     * time by a tick, and hosts booted together, as on one machine, get exactly 0), never negative
     * while the host booted at most {@link ViewBoot#EARLIER_MILLIS} before the view.
     */
    public static long shiftSeconds(long hostBootMillis, long viewBootMillis) {
        return Math.floorDiv(hostBootMillis - viewBootMillis + 500, 1000);
    }

    /** A [pid]/stat with its start time (field 22) moved by {@code seconds}. */
    public static String stat(String text, long seconds) {
        if (seconds == 0) return text;
        int close = text.lastIndexOf(')');
        if (close < 0) return text;
        int start = close + 2; // field 3 begins after ") "
        for (int field = 3; field < 22; field++) {
            start = text.indexOf(' ', start) + 1;
            if (start == 0) return text;
        }
        int end = start;
        while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != '\n') end++;
        try {
            long moved = Math.addExact(Long.parseLong(text.substring(start, end)), Math.multiplyExact(seconds, TICKS_PER_SECOND));
            return text.substring(0, start) + moved + text.substring(end);
        } catch (ArithmeticException | NumberFormatException e) {
            return text;
        }
    }

    /** A combined /proc/stat with btime the view's boot (whole seconds, rounded down as the kernel's). */
    public static String btime(String stat, long viewBootMillis) {
        int at = btimeLine(stat);
        if (at < 0) return stat;
        int end = stat.indexOf('\n', at);
        return stat.substring(0, at) + "btime " + Math.floorDiv(viewBootMillis, 1000) + (end < 0 ? "" : stat.substring(end));
    }

    /** Where the btime line of a /proc/stat begins, or -1. */
    static int btimeLine(String stat) {
        if (stat.startsWith("btime ")) return 0;
        int newline = stat.indexOf("\nbtime ");
        return newline < 0 ? -1 : newline + 1;
    }

    /** A combined /proc/uptime whose uptime is now − the view's boot (idle, the second number, as it is). */
    public static String uptime(String uptime, long nowMillis, long viewBootMillis) {
        int space = uptime.indexOf(' ');
        if (space <= 0) return uptime;
        long hundredths = Math.max(0, (nowMillis - viewBootMillis) / 10);
        return String.format(java.util.Locale.ROOT, "%d.%02d", hundredths / 100, hundredths % 100) + uptime.substring(space);
    }
}
