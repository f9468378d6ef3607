package io.procsys.fs.clock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostClockTest {
    /** A measurement of a boot at {@code bootMillis} with a round trip of twice {@code half} ms, its btime {@code btime}. */
    static BootInstant m(long bootMillis, long half, long btime) {
        return new BootInstant(bootMillis, half, btime, 0, 0);
    }

    @Test
    void theBootStaysWithinTheNoiseAndItsBtimeFollows() {
        HostClock c = new HostClock();
        assertEquals(HostClock.Change.FIRST, c.offer(m(1_000_000, 5, 1000)));
        assertEquals(HostClock.Change.KEPT, c.offer(m(1_000_300, 5, 1001)));
        assertEquals(HostClock.Change.KEPT, c.offer(m(999_600, 5, 1001)));
        assertEquals(1_000_000, c.current().bootMillis(), "noise does not move start times");
        assertEquals(1001, c.current().btime(), "the skew shown is the newest");
    }

    @Test
    void anUptimeThatWentBackIsAReboot() {
        HostClock c = new HostClock();
        c.offer(m(1_000_000, 5, 1000));
        // asked 10 s later, the host has been up 3 s: it booted 7 s after the boot in use
        assertEquals(HostClock.Change.MOVED, c.offer(m(1_007_000, 5, 1007)));
        assertEquals(1_007_000, c.current().bootMillis());
    }

    @Test
    void aSlowFirstAnswerIsRefinedByAFastOneAndNotTheOtherWay() {
        HostClock c = new HostClock();
        c.offer(m(1_000_000, 400, 0)); // a cold host: 800 ms round trip
        assertEquals(HostClock.Change.KEPT, c.offer(m(1_000_200, 250, 0)), "not much better");
        assertEquals(HostClock.Change.REFINED, c.offer(m(1_000_300, 10, 0)));
        assertEquals(1_000_300, c.current().bootMillis());
        assertEquals(HostClock.Change.KEPT, c.offer(m(1_000_100, 400, 0)), "a slower one keeps the better");
        assertEquals(1_000_300, c.current().bootMillis());
        assertEquals(HostClock.Change.MOVED, c.offer(m(1_001_300, 10, 0)), "a move past the noise is taken");
    }

    @Test
    void aMeasurementReplacesABootTakenAtItsWord() {
        HostClock c = new HostClock();
        c.offer(BootInstant.fromBtime(1000, 0, 0));
        assertEquals(HostClock.Change.REFINED, c.offer(m(1_000_200, 5, 1000)));
        assertEquals(1_000_200, c.current().bootMillis());
    }
}
