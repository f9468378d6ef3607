package io.procsys.fs.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StalenessTest {
    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final Staleness staleness = new Staleness(Duration.ofSeconds(2), now::get);

    private void later(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aHostServedStaleAgesUntilItIsLeftOut() {
        staleness.stale("a", TimeUnit.MILLISECONDS.toNanos(500), "meminfo");
        assertEquals(List.of(new Staleness.Host("a", Staleness.STALE, 500, "meminfo")), staleness.hosts());
        later(1_000);
        assertEquals(new Staleness.Host("a", Staleness.STALE, 1_500, "meminfo"), staleness.of("a"), "its answer ages as time goes");
        later(1_000);
        assertEquals(Staleness.LEFT_OUT, staleness.of("a").state(), "past the bound, without a round saying so");
    }

    @Test
    void anAnswerOrANewConnectionEndsTheReport() {
        staleness.leftOut("a", -1, "processes");
        staleness.leftOut("b", -1, "processes");
        assertEquals(new Staleness.Host("a", Staleness.LEFT_OUT, -1, "processes"), staleness.of("a"));
        staleness.fresh("a");
        assertNull(staleness.of("a"), "answered a round");
        // a host left out before its agent listened (a mount that starts first) is not LEFT OUT once connected
        staleness.connected("b");
        assertNull(staleness.of("b"));
    }

    @Test
    void aReportNoRoundRepeatsIsForgottenAfterAMinute() {
        staleness.leftOut("gone", -1, "meminfo");
        later(59_000);
        assertEquals(1, staleness.hosts().size());
        later(2_000);
        assertEquals(List.of(), staleness.hosts(), "the host left, or nothing asks for it any more");
    }
}
