package io.procsys.fs.clock;

/**
 * The view's boot instant: the earliest boot of its hosts, what its btime and uptime count from
 * (btime + uptime = now, as ps, top and psutil assume). Tools read btime once and keep it, so it
 * does not follow every measurement: it moves earlier when a host booted more than
 * {@link #EARLIER_MILLIS} before it joins (or is measured again so), and later only when the
 * earliest host left and the earliest boot is {@link #LATER_MILLIS} past it.
 */
public final class ViewBoot {
    /**
     * Start times are rebased in whole seconds ({@link Rebase#shiftSeconds}), so a host up to half a
     * second before the view's boot still gets no negative start time: only past that it moves.
     */
    public static final long EARLIER_MILLIS = 500;
    /** The hysteresis the other way: a few seconds, far above the noise of measurements. */
    public static final long LATER_MILLIS = 5_000;
    public static final long NONE = Long.MIN_VALUE;

    private long boot = NONE;

    /** The view's boot for hosts whose earliest boot is {@code earliest} ({@link #NONE}: no host measured, nothing changes). */
    public synchronized long update(long earliest) {
        if (earliest == NONE) return boot;
        if (boot == NONE || earliest < boot - EARLIER_MILLIS || earliest > boot + LATER_MILLIS) boot = earliest;
        return boot;
    }

    /** The view's boot, {@link #NONE} before any host was measured. */
    public synchronized long millis() {
        return boot;
    }
}
