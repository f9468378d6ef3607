package io.procsys.fs.clock;

/**
 * One measurement of a host's boot instant in this host's clock: its uptime, placed at the middle
 * of the round trip that brought it (not its btime: the host's wall clock may be off). The btime
 * the host states itself is kept beside it, to show the skew.
 *
 * @param bootMillis        the boot instant, Unix milliseconds of this host's clock
 * @param uncertaintyMillis half the round trip (the answer was made somewhere in it); -1 for a host
 *                          taken at its word (no uptime to measure: a captured tree)
 * @param btime             the host's own btime (its /proc/stat), seconds; 0 when unknown
 * @param atMillis          when it was measured, this host's wall clock
 * @param atNanos           the same on System.nanoTime's clock, for its age
 */
public record BootInstant(long bootMillis, long uncertaintyMillis, long btime, long atMillis, long atNanos) {
    public static final long NOT_MEASURED = -1;

    /** From an uptime answer: asked at {@code sentMillis} of this host's wall clock, answered {@code roundTripNanos} later. */
    public static BootInstant fromUptime(long sentMillis, long sentNanos, long roundTripNanos, long uptimeHundredths, long btime) {
        long middle = sentMillis + roundTripNanos / 2_000_000;
        return new BootInstant(middle - uptimeHundredths * 10, roundTripNanos / 2_000_000, btime, middle, sentNanos + roundTripNanos);
    }

    /** A host with no uptime to read, taken at its word (its btime). */
    public static BootInstant fromBtime(long btime, long atMillis, long atNanos) {
        return new BootInstant(btime * 1000, NOT_MEASURED, btime, atMillis, atNanos);
    }

    public boolean measured() {
        return uncertaintyMillis != NOT_MEASURED;
    }

    /** The host's btime minus its boot measured here, in seconds: how far its wall clock is ahead of this host's (NaN: unknown). */
    public double skewSeconds() {
        return btime == 0 || !measured() ? Double.NaN : (btime * 1000 - bootMillis) / 1000.0;
    }

    /** The same measurement with a newer btime and time (the boot kept: it did not move). */
    BootInstant keptAt(BootInstant newer) {
        return new BootInstant(bootMillis, uncertaintyMillis, newer.btime, newer.atMillis, newer.atNanos);
    }

    /** The same with btime {@code btime} (the host stated it again). */
    BootInstant withBtime(long btime) {
        return new BootInstant(bootMillis, uncertaintyMillis, btime, atMillis, atNanos);
    }

    /** The first number of /proc/uptime in hundredths of a second, or -1 if it is not "N.NN ...". */
    public static long uptimeHundredths(String uptime) {
        int end = 0;
        while (end < uptime.length() && uptime.charAt(end) != ' ' && uptime.charAt(end) != '\n') end++;
        String first = uptime.substring(0, end);
        int dot = first.indexOf('.');
        if (dot <= 0 || first.length() - dot != 3) return -1;
        try {
            long whole = Long.parseLong(first.substring(0, dot));
            long hundredths = Long.parseLong(first.substring(dot + 1));
            return whole < 0 || hundredths < 0 || whole > Long.MAX_VALUE / 1000 ? -1 : whole * 100 + hundredths;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The btime line of a /proc/stat, or 0 without one. */
    public static long btime(String stat) {
        int at = Rebase.btimeLine(stat);
        if (at < 0) return 0;
        int start = at + "btime ".length();
        int end = stat.indexOf('\n', start);
        try {
            return Math.max(0, Long.parseLong(stat.substring(start, end < 0 ? stat.length() : end).strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
