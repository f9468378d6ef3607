package io.procsys.fs.pace;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPacingTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final CpuPacing pacing = new CpuPacing(now::get);

    /** A [pid]/stat as the kernel writes it, with these CPU times, threads and start time (a command with spaces and a parenthesis). */
    private static String stat(int pid, long utime, long stime, int threads, long start) {
        return pid + " (java (agent) x) S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 " + utime + " " + stime + " 7 8 20 0 "
                + threads + " 0 " + start + " 6184960 418 18446744073709551615 1 2 3 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 4 5 6 7 8 9 10 0\n";
    }

    private static long[] times(String stat) {
        StatTimes t = StatTimes.of(stat);
        return new long[]{t.utime(), t.stime()};
    }

    private String read(long utime, long stime, int threads, int cpus) {
        return pacing.paced(stat(42, utime, stime, threads, 5000), 3, false, cpus);
    }

    @Test
    void fieldsAreFoundPastACommandWithSpacesAndParentheses() {
        StatTimes t = StatTimes.of(stat(42, 1234, 56, 9, 5000));
        assertEquals(42, t.id());
        assertEquals(1234, t.utime());
        assertEquals(56, t.stime());
        assertEquals(9, t.threads());
        assertEquals(5000, t.startTime());
        assertEquals(stat(42, 77, 88, 9, 5000), t.withTimes(stat(42, 1234, 56, 9, 5000), 77, 88));
        assertNull(StatTimes.of("42 (x) S 1 2"), "too short");
        assertNull(StatTimes.of("not a stat"));
    }

    @Test
    void aReadWithinTheBoundIsServedUntouched() {
        String first = stat(42, 100, 10, 4, 5000);
        assertSame(first, pacing.paced(first, 3, false, 2));
        now.addAndGet(SECOND);
        String next = stat(42, 250, 40, 4, 5000); // 180 ticks in 1 s on 2 CPUs: 180 %
        assertSame(next, pacing.paced(next, 3, false, 2));
    }

    @Test
    void aStaleSpellThenAFreshTableIsPacedAtTheHostsCpusAndCatchesUp() {
        // a 1-CPU host, a JVM of 30 threads burning its one CPU: served stale (no step) for 3 s, then fresh
        read(1000, 0, 30, 1);
        for (int s = 1; s <= 3; s++) {
            now.addAndGet(SECOND);
            assertEquals(1000, times(read(1000, 0, 30, 1))[0], "the stale table: no step");
        }
        long real = 1000, shown = 1000;
        for (int s = 4; s <= 12; s++) {
            now.addAndGet(SECOND);
            real = s <= 8 ? 1000 + 100 * s : real; // burns on until 8 s, then sleeps
            long served = times(read(real, 0, 30, 1))[0];
            assertTrue(served - shown <= 100, "at most 1 CPU × 1 s = 100 ticks per second, was " + (served - shown) + " at " + s + " s");
            assertTrue(served >= shown, "never back");
            shown = served;
        }
        assertEquals(real, shown, "the rest is carried into later reads until it has caught up");
    }

    @Test
    void utimeAndStimeShareTheBoundAndNeverGoBack() {
        read(0, 0, 1, 8);
        now.addAndGet(SECOND / 2);
        long[] t = times(read(300, 100, 1, 8)); // one thread: at most 50 ticks in half a second
        assertEquals(50, t[0] + t[1]);
        assertEquals(37, t[0], "split as they are behind: 3/4 user");
        now.addAndGet(SECOND / 2);
        long[] back = times(read(10, 5, 1, 8)); // a host whose counter went back (never on Linux): served where it was
        assertEquals(37, back[0]);
        assertEquals(13, back[1]);
    }

    @Test
    void frequentReadsKeepTheFractionOfATick() {
        read(0, 0, 1, 1);
        long served = 0;
        for (int i = 0; i < 100; i++) { // read every 3 ms: 0.3 ticks each, 30 in all
            now.addAndGet(3_000_000L);
            served = times(read(1000, 0, 1, 1))[0];
        }
        assertEquals(30, served, 1);
    }

    @Test
    void aThreadIsBoundByOneCpuAndKeptApartFromItsProcess() {
        pacing.paced(stat(42, 0, 0, 8, 5000), 3, true, 8);
        pacing.paced(stat(42, 0, 0, 8, 5000), 3, false, 8);
        now.addAndGet(SECOND);
        assertEquals(100, times(pacing.paced(stat(42, 500, 0, 8, 5000), 3, true, 8))[0], "task/42/stat: one CPU");
        assertEquals(500, times(pacing.paced(stat(42, 500, 0, 8, 5000), 3, false, 8))[0], "42/stat: 8 threads on 8 CPUs may take 5");
    }

    @Test
    void anotherProcessUnderTheSamePidOrHostStartsAfresh() {
        read(0, 0, 1, 1);
        now.addAndGet(SECOND);
        assertEquals(700, times(pacing.paced(stat(42, 700, 0, 1, 9999), 3, false, 1))[0], "pid reused: a new process, served as it is");
        assertEquals(900, times(pacing.paced(stat(42, 900, 0, 1, 5000), 4, false, 1))[0], "another host's pid 42");
    }

    @Test
    void goneProcessesAreForgotten() {
        for (int pid = 1; pid <= 50; pid++) pacing.paced(stat(pid, 0, 0, 1, 5000), 3, false, 1);
        assertEquals(50, pacing.size());
        now.addAndGet(CpuPacing.IDLE_NANOS + SECOND);
        pacing.paced(stat(99, 0, 0, 1, 5000), 3, false, 1); // a new process sweeps the idle ones
        assertEquals(1, pacing.size());
    }

    @Test
    void hostCpusAreItsCpuLines() {
        assertEquals(2, HostCpus.of("cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\nintr 5\nctxt 6\ncpufreq 1\n"));
        assertEquals(0, HostCpus.of("intr 5\n"));
    }
}
