package io.procsys.fs.clock;

import java.time.Instant;
import java.util.List;

/**
 * The view's clock as `procsys status` shows it: the view's boot (its btime) and each host's boot
 * measured here, with the skew of the host's own wall clock (its btime minus that boot).
 *
 * @param viewBoot the view's boot, null before any host was measured
 * @param btime    the btime the view's combined stat shows (0 before any host was measured)
 */
public record ClockStatus(Instant viewBoot, long btime, List<Host> hosts) {
    /**
     * @param skewSeconds        the host's btime minus its boot measured here; null when unknown
     *                           (no btime, or a host taken at its word)
     * @param uncertaintyMillis  half the round trip of the measurement in use (-1: taken at its word)
     */
    public record Host(String name, Instant boot, long btime, Double skewSeconds, long uncertaintyMillis, Instant measuredAt) {
        static Host of(String name, BootInstant b) {
            double skew = b.skewSeconds();
            return new Host(name, Instant.ofEpochMilli(b.bootMillis()), b.btime(), Double.isNaN(skew) ? null : skew,
                    b.uncertaintyMillis(), Instant.ofEpochMilli(b.atMillis()));
        }
    }

    /** The status of a view booted at {@code viewBootMillis} ({@link ViewBoot#NONE}: not yet) over {@code hosts}. */
    public static ClockStatus of(long viewBootMillis, List<Host> hosts) {
        boolean known = viewBootMillis != ViewBoot.NONE;
        return new ClockStatus(known ? Instant.ofEpochMilli(viewBootMillis) : null, known ? Math.floorDiv(viewBootMillis, 1000) : 0, hosts);
    }

    /** Host {@code name}'s line, from the measurement in use. */
    public static Host host(String name, BootInstant b) {
        return Host.of(name, b);
    }
}
