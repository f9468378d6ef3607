package io.procsys.fs.history;

import io.procsys.fs.clock.Rebase;
import io.procsys.history.Item;

import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;

/**
 * A recorded file as a reader sees it at a moment between two frames: counters moved from the
 * frame before towards the frame after in proportion to the time (floored, never backwards, so
 * sums of counters stay sums and rates come out as recorded), the rest as the frame before has
 * it; then seen through a {@link Lens}: whose clock, whose pids, which reader.
 */
final class Rendering {
    /**
     * How a file is shown: {@code viewBtime} the boot time of the view's clock (0: the host's own,
     * as under hosts/NAME/), {@code pids} a host pid → the pid shown (null: as recorded), and whether
     * the reader may trace the process ({@code permitted}: root or its owner; others get the fields
     * procfs masks).
     */
    record Lens(long viewBtime, IntUnaryOperator pids, boolean permitted) {
        static final Lens OWN = new Lens(0, null, true);
    }

    private Rendering() {}

    /** {@code before}'s text with counters interpolated towards {@code after} at {@code fraction} (0 ≤ f < 1) and the lens applied. */
    static byte[] file(SlotRoles.Kind kind, Item before, Item after, double fraction, Lens lens, long hostBtime) {
        long[] values = before.values().clone();
        byte[] roles = SlotRoles.of(kind, before.template());
        boolean moving = after != null && after.kind() == before.kind() && !after.failed() && sameSlots(kind, before, after, roles);
        for (int i = 0; i < values.length; i++) {
            switch (roles[i]) {
                case SlotRoles.COUNTER -> {
                    if (moving && after.values()[i] > values[i]) values[i] += (long) Math.floor((after.values()[i] - values[i]) * fraction);
                }
                case SlotRoles.PID -> {
                    if (lens.pids() != null && values[i] > 0 && values[i] < Integer.MAX_VALUE) values[i] = lens.pids().applyAsInt((int) values[i]);
                }
                case SlotRoles.START_TIME -> {
                    if (lens.viewBtime() > 0 && hostBtime > lens.viewBtime()) values[i] += Rebase.shiftSeconds(hostBtime * 1000, lens.viewBtime() * 1000) * Rebase.TICKS_PER_SECOND;
                }
                case SlotRoles.BTIME -> {
                    if (lens.viewBtime() > 0) values[i] = lens.viewBtime();
                }
                case SlotRoles.MASK_MM -> {
                    if (!lens.permitted()) values[i] = values[i] != 0 ? 1 : 0;
                }
                case SlotRoles.MASK_ZERO -> {
                    if (!lens.permitted()) values[i] = 0;
                }
                default -> { }
            }
        }
        return before.template().render(values);
    }

    /**
     * Whether {@code after}'s integers line up with {@code before}'s: the same template, or one that
     * differs only in the text between them with the same roles in the same places. A process's
     * state letter is such text (R in one frame, S in the next): without this its counters stood
     * still for a whole interval and then jumped (pidstat rows of 0 %, top at 64 % for 50 %).
     */
    private static boolean sameSlots(SlotRoles.Kind kind, Item before, Item after, byte[] roles) {
        if (after.template().equals(before.template())) return true;
        return after.values().length == before.values().length && java.util.Arrays.equals(roles, SlotRoles.of(kind, after.template()));
    }

    /**
     * /proc/uptime at {@code tv}: up since the view's boot ({@code viewBtime} > 0), else the host's
     * uptime in the frame before plus the time since it; idle interpolated. Any other shape is
     * served as recorded.
     */
    static byte[] uptime(Item before, Item after, long beforeMillis, double fraction, long tv, long viewBtime) {
        long[] now = hundredths(before), next = after == null ? null : hundredths(after);
        if (now == null) return before.text();
        long up = viewBtime > 0 ? Math.max(0, (tv - viewBtime * 1000) / 10) : now[0] + Math.max(0, tv - beforeMillis) / 10;
        long idle = now[1] + (next != null && next[1] > now[1] ? (long) Math.floor((next[1] - now[1]) * fraction) : 0);
        return String.format("%d.%02d %d.%02d\n", up / 100, up % 100, idle / 100, idle % 100).getBytes(StandardCharsets.US_ASCII);
    }

    /** The two numbers of "N.NN N.NN\n" in hundredths, or null for another shape. */
    private static long[] hundredths(Item uptime) {
        if (uptime.failed() || uptime.template().slots() != 4 || uptime.template().width(1) != 2 || uptime.template().width(3) != 2) return null;
        long[] v = uptime.values();
        return new long[]{v[0] * 100 + v[1], v[2] * 100 + v[3]};
    }

    /** Field {@code btime} of a recorded /proc/stat, or 0. */
    static long btime(Item stat) {
        if (stat == null || stat.failed()) return 0;
        byte[] roles = SlotRoles.of(SlotRoles.Kind.STAT, stat.template());
        for (int i = 0; i < roles.length; i++) if (roles[i] == SlotRoles.BTIME) return stat.values()[i];
        return 0;
    }
}
