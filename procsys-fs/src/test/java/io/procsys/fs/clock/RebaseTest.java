package io.procsys.fs.clock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RebaseTest {
    static final String STAT = "42 (my (odd) name) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 500 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";

    @Test
    void shiftsAreWholeSecondsRounded() {
        assertEquals(0, Rebase.shiftSeconds(1_000_400, 1_000_000));
        assertEquals(1, Rebase.shiftSeconds(1_000_500, 1_000_000));
        assertEquals(0, Rebase.shiftSeconds(999_500, 1_000_000), "half a second before the view: still 0, never negative");
        assertEquals(-1, Rebase.shiftSeconds(999_499, 1_000_000));
        assertEquals(172_800, Rebase.shiftSeconds(1_000_000 + 172_800_000, 1_000_000));
    }

    @Test
    void onlyTheStartTimeOfAStatMoves() {
        assertEquals(STAT.replace(" 500 1000 ", " 17280500 1000 "), Rebase.stat(STAT, 172_800));
        assertEquals(STAT, Rebase.stat(STAT, 0));
        assertEquals(STAT.replace(" 500 1000 ", " 200 1000 "), Rebase.stat(STAT, -3), "no clamp");
        String noNewline = STAT.strip();
        assertEquals(noNewline.replace(" 500 1000 ", " 800 1000 "), Rebase.stat(noNewline, 3));
        assertEquals("garbage", Rebase.stat("garbage", 5));
        assertEquals("1 (x) S 1 2\n", Rebase.stat("1 (x) S 1 2\n", 5), "too short: as it is");
        String bad = STAT.replace(" 500 1000 ", " x 1000 ");
        assertEquals(bad, Rebase.stat(bad, 5));
    }

    @Test
    void btimeAndUptimeCountFromTheViewsBoot() {
        assertEquals("cpu 1 2 3\nbtime 1000\nprocesses 5\n", Rebase.btime("cpu 1 2 3\nbtime 2000\nprocesses 5\n", 1_000_999));
        assertEquals("btime 1000", Rebase.btime("btime 2000", 1_000_000));
        assertEquals("cpu 1\n", Rebase.btime("cpu 1\n", 1_000_000), "no btime line: as it is");
        assertEquals("3600.25 99.00\n", Rebase.uptime("10.00 99.00\n", 1_003_600_250L, 1_000_000_000L));
        assertEquals("0.05 1.00\n", Rebase.uptime("10.00 1.00\n", 1_000_000_059L, 1_000_000_000L));
        assertEquals("garbage", Rebase.uptime("garbage", 5, 0));
    }
}
