package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.procsys.posix.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Tables shared between requests of the same moment, on a fake clock: never one built before the window. */
class SharedTablesTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final AtomicInteger builds = new AtomicInteger(), shared = new AtomicInteger();
    /** Runs the expiry only when told (runScheduledPendingTasks), so the fake clock alone says what is shared. */
    final EmbeddedChannel expiry = new EmbeddedChannel();
    final SharedTables tables = new SharedTables(now::get, expiry.eventLoop(), shared::incrementAndGet);
    static final SharedTables.Key KEY = new SharedTables.Key("", false, 3);

    @AfterEach
    void stop() {
        expiry.finishAndReleaseAll();
    }

    SharedTables.Built build() {
        int n = builds.incrementAndGet();
        return new SharedTables.Built(Unpooled.directBuffer().writeBytes(("table " + n).getBytes(StandardCharsets.US_ASCII)), 0);
    }

    /** The text of a taken table, released as a client's reply would be. */
    static String text(SharedTables.Built built) {
        ByteBuf b = built.table();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void aRequestWithinTheWindowTakesTheTableJustBuilt() {
        assertEquals("table 1", text(tables.take(KEY, now.get(), this::build)));
        now.addAndGet(SharedTables.SHARE_NANOS);
        assertEquals("table 1", text(tables.take(KEY, now.get(), this::build)), "each taker reads the whole table");
        assertEquals(1, builds.get());
        assertEquals(1, shared.get());
    }

    @Test
    void aRequestPastTheWindowGetsANewTable() {
        assertEquals("table 1", text(tables.take(KEY, now.get(), this::build)));
        now.addAndGet(SharedTables.SHARE_NANOS + 1);
        assertEquals("table 2", text(tables.take(KEY, now.get(), this::build)));
        assertEquals(0, shared.get());
    }

    @Test
    void aRequestThatArrivedDuringTheBuildTakesIt() {
        long arrived = now.get();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300)); // a build of 300 ms; the second request waited in the queue
        assertEquals("table 1", text(tables.take(KEY, arrived - TimeUnit.MILLISECONDS.toNanos(300), this::build)));
        assertEquals("table 1", text(tables.take(KEY, arrived, this::build)));
        assertEquals(1, builds.get());
    }

    @Test
    void otherPartsOrThreadsAreAnotherTable() {
        text(tables.take(KEY, now.get(), this::build));
        text(tables.take(new SharedTables.Key("", true, 3), now.get(), this::build));
        text(tables.take(new SharedTables.Key("", false, 1), now.get(), this::build));
        assertEquals(3, builds.get());
    }

    @Test
    void concurrentRequestsJoinTheBuildInFlight() throws Exception {
        CountDownLatch building = new CountDownLatch(1), release = new CountDownLatch(1);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = two.submit(() -> text(tables.take(KEY, now.get(), () -> {
                building.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return build();
            })));
            building.await();
            Future<String> second = two.submit(() -> text(tables.take(KEY, now.get(), this::build)));
            while (shared.get() == 0) Thread.onSpinWait(); // joined
            release.countDown();
            assertEquals("table 1", first.get());
            assertEquals("table 1", second.get());
            assertEquals(1, builds.get());
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    @Timeout(60) // a guard against a hang if the reference were never dropped, not a measure
    void theSharedReferenceIsDroppedWhenTheWindowEnds() throws Exception {
        SharedTables.Built built = tables.take(KEY, now.get(), this::build);
        ByteBuf kept = built.table().unwrap();
        text(built);
        assertEquals(1, kept.refCnt(), "held for sharing");
        while (tables.held() > 0) { // its expiry is due a few ms of real time after the build
            expiry.runScheduledPendingTasks();
            Thread.onSpinWait();
        }
        assertEquals(0, kept.refCnt(), "released once no request can take it");
    }

    @Test
    void aFailedBuildIsAnsweredWithItsErrnoAndNotKept() {
        SharedTables.Built failed = tables.take(KEY, now.get(), () -> new SharedTables.Built(null, Errno.EFBIG));
        assertNull(failed.table());
        assertEquals(Errno.EFBIG, failed.errno());
        assertEquals(0, tables.held());
    }
}
