package io.procsys.fs.pace;

/**
 * The fields of a [pid]/stat (or task/[tid]/stat) that pacing reads and writes: the id (field 1),
 * utime and stime (14, 15, in ticks), num_threads (20) and starttime (22). Found in one pass over
 * the text after the command's closing parenthesis (a command may hold spaces and parentheses).
 */
record StatTimes(int id, long utime, long stime, int threads, long startTime, int utimeAt, int stimeEnd) {
    private static final int UTIME = 14, STIME = 15, THREADS = 20, START_TIME = 22;

    /** The fields of {@code text}, or null when it does not parse as a stat line. */
    static StatTimes of(String text) {
        int open = text.indexOf(" (");
        int close = text.lastIndexOf(')');
        if (open <= 0 || close < open) return null;
        try {
            int id = Integer.parseInt(text, 0, open, 10);
            int[] starts = new int[START_TIME + 2];
            int at = close + 2; // field 3 begins after ") "
            for (int field = 3; field <= START_TIME + 1; field++) {
                if (at > text.length()) return null;
                starts[field] = at;
                int space = text.indexOf(' ', at);
                at = space < 0 ? text.length() + 1 : space + 1;
            }
            return new StatTimes(id, number(text, starts, UTIME), number(text, starts, STIME), (int) number(text, starts, THREADS),
                    number(text, starts, START_TIME), starts[UTIME], starts[STIME + 1] - 1);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long number(String text, int[] starts, int field) {
        return Long.parseLong(text, starts[field], starts[field + 1] - 1, 10);
    }

    /** {@code text} (the one this was read from) with utime and stime replaced. */
    String withTimes(String text, long utime, long stime) {
        return text.substring(0, utimeAt) + utime + " " + stime + text.substring(stimeEnd);
    }
}
