package io.procsys.scope;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuClockTest {
    @Test
    void aSaturatedQuotaIsAllBusyAndAnIdleScopeAllIdle() {
        CpuClock clock = new CpuClock();
        CpuClock.Times first = clock.advance(new long[]{100, 0, 0}, 10_000, 0.5);
        assertEquals(5_000 - 100, first.idle(), "seeded: the capacity since boot less the busy time");
        CpuClock.Times busy = clock.advance(new long[]{150, 0, 0}, 10_100, 0.5); // 0.5 s of CPU in 1 s: the whole quota
        assertEquals(first.idle(), busy.idle(), "no idle time: 100 % busy");
        CpuClock.Times idle = clock.advance(new long[]{150, 0, 0}, 10_200, 0.5);
        assertEquals(busy.idle() + 50, idle.idle(), "nothing ran: the capacity is idle");
    }

    @Test
    void countersNeverGoBackAcrossARestart() {
        CpuClock clock = new CpuClock();
        long lastBusy = 0, lastIdle = 0;
        long[][] raws = {{500, 10, 200}, {600, 10, 250}, {5, 0, 2}, {40, 0, 20}, {40, 0, 20}, {1, 1, 1}};
        long uptime = 100_000;
        for (long[] raw : raws) {
            CpuClock.Times t = clock.advance(raw, uptime += 100, 1.0);
            assertTrue(t.busy() >= lastBusy && t.idle() >= lastIdle, "monotonic at " + java.util.Arrays.toString(raw));
            lastBusy = t.busy();
            lastIdle = t.idle();
        }
        assertEquals(600 + 40 + 1 + 10 + 0 + 1 + 250 + 20 + 1, lastBusy, "each drop carries the last value over");
    }

    @Test
    void moreBusyThanCapacityNeverTakesIdleBack() {
        CpuClock clock = new CpuClock();
        CpuClock.Times t0 = clock.advance(new long[]{0, 0, 0}, 1_000, 0.5);
        CpuClock.Times t1 = clock.advance(new long[]{300, 0, 0}, 1_100, 0.5); // a quota raised meanwhile, or a burst
        assertEquals(t0.idle(), t1.idle());
        assertEquals(0, new CpuClock().advance(new long[]{10_000, 0, 0}, 100, 1.0).idle(), "busier than the uptime allows: 0, never negative");
    }
}
