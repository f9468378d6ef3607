package io.procsys.scope;

/**
 * A scope's CPU times as /proc/stat's {@code cpu} line shows them, kept monotonic across the
 * renderings of one host: busy time comes from the cgroups' counters plus a carry when one drops
 * (a unit restarted is a new cgroup from 0, a quota or cpuset change on v1), and idle time grows
 * by what the scope's capacity left unused since the last rendering. At the first rendering idle
 * is the capacity over the host's uptime less the busy time (never below 0). So a saturated quota
 * reads 100 % busy, an idle scope 100 % idle, and no column ever goes back.
 */
final class CpuClock {
    /** Totals in clock ticks (USER_HZ): user (without nice), nice, system, idle. */
    record Times(long user, long nice, long system, long idle) {
        long busy() {
            return user + nice + system;
        }
    }

    private long[] lastRaw;
    private final long[] carry = new long[3];
    private long lastUptime = -1;
    private long lastBusy;
    private double idle;

    /**
     * The times after a rendering that read {@code raw} (user, nice, system ticks of the scope's
     * cgroups, summed) at host uptime {@code uptimeTicks}, with {@code capacity} CPUs.
     */
    synchronized Times advance(long[] raw, long uptimeTicks, double capacity) {
        if (lastRaw != null) {
            for (int i = 0; i < 3; i++) {
                if (raw[i] < lastRaw[i]) carry[i] = Math.addExact(carry[i], lastRaw[i]); // the counter started again
            }
        }
        lastRaw = raw.clone();
        long user = raw[0] + carry[0], nice = raw[1] + carry[1], system = raw[2] + carry[2];
        long busy = user + nice + system;
        if (lastUptime < 0 || uptimeTicks < lastUptime) {
            idle = Math.max(idle, capacity * uptimeTicks - busy); // first, or the host booted again
        } else {
            idle += Math.max(0, capacity * (uptimeTicks - lastUptime) - (busy - lastBusy));
        }
        lastUptime = uptimeTicks;
        lastBusy = busy;
        return new Times(user, nice, system, (long) Math.max(0, idle));
    }
}
