package io.procsys.fs.clock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewBootTest {
    @Test
    void theEarliestBootWithAHysteresis() {
        ViewBoot v = new ViewBoot();
        assertEquals(ViewBoot.NONE, v.update(ViewBoot.NONE), "nothing measured");
        assertEquals(100_000, v.update(100_000));
        assertEquals(100_000, v.update(99_600), "less than half a second earlier: start times still round to ≥ 0");
        assertEquals(100_000, v.update(104_000), "later within the hysteresis: the same btime");
        assertEquals(99_000, v.update(99_000), "a host booted earlier joined");
        assertEquals(99_000, v.update(ViewBoot.NONE), "no host measured now: kept");
        assertEquals(200_000, v.update(200_000), "the earliest host left");
        assertEquals(200_000, v.millis());
    }

    @Test
    void noHostGetsANegativeShift() {
        for (long earliest = 90_000; earliest < 110_000; earliest += 7) {
            ViewBoot v = new ViewBoot();
            v.update(100_000);
            long view = v.update(earliest); // the earliest host now, every other one booted after it
            for (long host = earliest; host < earliest + 3000; host += 11) {
                assertTrue(Rebase.shiftSeconds(host, view) >= 0, "host booted at " + host + ", view at " + view);
            }
        }
    }
}
