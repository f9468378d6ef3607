package io.procsys.fs.clock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootInstantTest {
    @Test
    void theBootIsTheUptimeBeforeTheMiddleOfTheRoundTrip() {
        // asked at 1 000 000.000 s, answered 40 ms later with 3600.25 s of uptime
        BootInstant b = BootInstant.fromUptime(1_000_000_000L, 5_000_000_000L, 40_000_000L, 360_025, 996_400);
        assertEquals(1_000_000_020L - 3_600_250, b.bootMillis(), "the answer was made in the middle of the round trip");
        assertEquals(20, b.uncertaintyMillis());
        assertEquals(1_000_000_020L, b.atMillis());
        assertEquals(5_040_000_000L, b.atNanos());
        assertTrue(b.measured());
        assertEquals(996_400 - 996_399.77, b.skewSeconds(), 1e-9, "its btime against the boot measured here");
    }

    @Test
    void aHostTakenAtItsWordHasNoSkew() {
        BootInstant b = BootInstant.fromBtime(1418183276, 5, 6);
        assertEquals(1418183276000L, b.bootMillis());
        assertFalse(b.measured());
        assertTrue(Double.isNaN(b.skewSeconds()));
        assertTrue(Double.isNaN(BootInstant.fromUptime(0, 0, 0, 100, 0).skewSeconds()), "no btime, no skew");
    }

    @Test
    void uptimeAndBtimeAreParsed() {
        assertEquals(42182, BootInstant.uptimeHundredths("421.82 322.93\n"));
        assertEquals(5, BootInstant.uptimeHundredths("0.05 0.00\n"));
        for (String bad : new String[]{"", "x 1\n", "421.8 1\n", "421 1\n", "-1.00 2\n", "4.2.00 1\n", "99999999999999999999.00 1\n"}) {
            assertEquals(-1, BootInstant.uptimeHundredths(bad), bad);
        }
        assertEquals(1418183276L, BootInstant.btime("cpu 1 2 3\nbtime 1418183276\nprocesses 1\n"));
        assertEquals(7, BootInstant.btime("btime 7"));
        assertEquals(0, BootInstant.btime("cpu 1\n"));
        assertEquals(0, BootInstant.btime("cpu 1\nbtime x\n"));
        assertEquals(0, BootInstant.btime("cpu 1\nnobtime 5\n"));
    }
}
