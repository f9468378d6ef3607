package io.procsys.fs.clock;

/**
 * One host's boot instant as the view uses it: steady from one measurement to the next, moved
 * only by a real change. Start times rebased with it stay put between reads, so a tool that keeps
 * watching a process sees one start time.
 */
public final class HostClock {
    /**
     * A measurement this much farther than its own uncertainty from the boot in use moves it: the
     * host rebooted (its uptime went back), a clock was stepped, or drift added up (50 ppm is half
     * a second in under three hours). Less is noise of the round trip.
     */
    public static final long MOVE_MILLIS = 500;
    /** A measurement whose round trip is this much shorter refines the boot in use (a cold host's first answer is slow). */
    static final long REFINE_MARGIN_MILLIS = 20;

    /** What a measurement did to the boot in use. */
    public enum Change {
        /** The first one: now in use. */
        FIRST,
        /** Within the noise: the boot stays, its btime and time are the new ones. */
        KEPT,
        /** Much more precise (a shorter round trip), or measured where the boot was taken from btime: now in use. */
        REFINED,
        /** Farther than the noise: a reboot or a stepped clock, now in use. */
        MOVED
    }

    private BootInstant current;

    /** Takes measurement {@code m}, and says what it changed. */
    public synchronized Change offer(BootInstant m) {
        BootInstant was = current;
        if (was == null) {
            current = m;
            return Change.FIRST;
        }
        if (Math.abs(m.bootMillis() - was.bootMillis()) > MOVE_MILLIS + Math.max(0, m.uncertaintyMillis())) {
            current = m;
            return Change.MOVED;
        }
        if (m.measured() && (!was.measured() || 2 * m.uncertaintyMillis() + REFINE_MARGIN_MILLIS < was.uncertaintyMillis())) {
            current = m;
            return Change.REFINED;
        }
        current = was.keptAt(m);
        return Change.KEPT;
    }

    /**
     * The host states btime {@code btime} (its stat, read for another reason): the skew shown is
     * that one, the boot stays. False before any measurement.
     */
    public synchronized boolean restated(long btime) {
        if (current == null) return false;
        current = current.withBtime(btime);
        return true;
    }

    /** The boot in use, or null before any measurement. */
    public synchronized BootInstant current() {
        return current;
    }
}
