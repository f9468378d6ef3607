package io.procsys.daemon.intercept;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sysinfo under exec: from a combination at most a second old, refreshed in the background, never waiting on a refresh that hangs. */
class SysinfoCacheTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final AtomicInteger made = new AtomicInteger();

    @Test
    void aCallWithinASecondIsAnsweredFromTheLastCombinationAndRefreshesItInTheBackground() throws Exception {
        CountDownLatch refreshed = new CountDownLatch(2);
        SysinfoCache cache = new SysinfoCache(() -> {
            refreshed.countDown();
            return new byte[]{(byte) made.incrementAndGet()};
        }, now::get);
        assertArrayEquals(new byte[]{1}, cache.get(), "the first call makes one");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        assertArrayEquals(new byte[]{1}, cache.get(), "young: as it is");
        assertEquals(1, made.get(), "no refresh yet");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        assertArrayEquals(new byte[]{1}, cache.get(), "older than half a second: still answered from it");
        assertTrue(refreshed.await(5, TimeUnit.SECONDS), "and refreshed in the background");
        waitUntil(() -> cache.get()[0] == 2);
    }

    @Test
    void aRefreshThatHangsDelaysNoCallWithinTheSecond() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SysinfoCache cache = new SysinfoCache(() -> {
            if (made.incrementAndGet() > 1) {
                try {
                    release.await(); // a host that stopped answering holds the refresh
                } catch (InterruptedException e) {
                    throw new java.io.IOException(e);
                }
            }
            return new byte[]{7};
        }, now::get);
        cache.get();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) assertArrayEquals(new byte[]{7}, cache.get());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "answered at once while the refresh hangs");
        waitUntil(() -> made.get() == 2);
        assertEquals(2, made.get(), "one refresh in flight, not one per call");
        release.countDown();
    }

    @Test
    void aCallPastTheSecondMakesAFreshOne() throws Exception {
        SysinfoCache cache = new SysinfoCache(() -> new byte[]{(byte) made.incrementAndGet()}, now::get);
        cache.get();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
        assertArrayEquals(new byte[]{2}, cache.get(), "an idle mount's first call waits for a fresh combination");
    }

    interface Check {
        boolean done() throws Exception;
    }

    static void waitUntil(Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!check.done()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out");
            Thread.sleep(5);
        }
    }
}
