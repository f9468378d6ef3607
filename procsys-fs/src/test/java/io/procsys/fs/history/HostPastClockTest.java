package io.procsys.fs.history;

import io.procsys.history.Frame;
import io.procsys.history.Item;
import io.procsys.history.Segment;
import io.procsys.history.SegmentWriter;
import io.procsys.history.StoreReader;
import io.procsys.history.Task;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host whose wall clock is off this host's stamped its frames by it: the view asks for, and shows,
 * the frame of the same moment, with its boot on this host's clock (issue 40: "btime and uptime stay
 * consistent with the start times, following the rule" of the live view).
 */
class HostPastClockTest {
    /** The host's boot by its own clock, seconds. */
    static final long HOST_BTIME = 1_796_000_000L;
    static final long AHEAD = 3 * 3600_000L;
    /** Its frames: one a second for a minute, from 10 minutes after its boot, by its clock. */
    static final long FIRST = (HOST_BTIME + 600) * 1000;

    static Frame frame(long millis) {
        Map<String, Item> files = new TreeMap<>();
        files.put("stat", Item.file(("cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 100 0 50 1000 0 0 0 0 0 0\nbtime " + HOST_BTIME + "\n")
                .getBytes(StandardCharsets.US_ASCII)));
        files.put("uptime", Item.file(String.format("%d.00 10.00\n", millis / 1000 - HOST_BTIME).getBytes(StandardCharsets.US_ASCII)));
        return Frame.of(millis, 1000, 0, files, Map.<Integer, Task>of());
    }

    /** A recording of those frames, answering as an agent whose clock is {@code ahead} of this host's. */
    static PastSource source(long ahead, List<long[]> asked) {
        List<Segment.Block> blocks = new ArrayList<>();
        try (SegmentWriter writer = new SegmentWriter(1)) {
            writer.newSegment();
            for (int i = 0; i < 60; i++) writer.add(frame(FIRST + i * 1000L));
            blocks.add(writer.closeBlock());
        }
        return new PastSource() {
            @Override
            public CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis) {
                asked.add(new long[]{fromMillis, toMillis});
                return CompletableFuture.completedFuture(new StoreReader.Found(List.of(blocks), false));
            }

            @Override
            public String describe() {
                return "a test recording";
            }

            @Override
            public CompletableFuture<Long> clockAheadMillis() {
                return CompletableFuture.completedFuture(ahead);
            }
        };
    }

    @Test
    void aHostWhoseClockIsAheadShowsTheFrameOfTheSameMoment() throws Exception {
        List<long[]> asked = new ArrayList<>();
        HostPast host = new HostPast("h2", source(AHEAD, asked), Runnable::run, System::nanoTime);
        long tv = FIRST - AHEAD + 20_500; // 20.5 s into its recording, on this host's clock
        host.load(tv).get();
        assertEquals(tv + AHEAD, asked.getLast()[0], "asked from the time on its clock");
        HostPast.Moment m = host.at(tv);
        assertTrue(m.present(), host.describe(tv));
        assertEquals(FIRST + 20_000, m.before().timeMillis());
        assertEquals(FIRST + 21_000, m.after().timeMillis());
        assertTrue(host.describe(tv).contains("its clock 10800 s ahead of this host's"), host.describe(tv));
        assertTrue(host.describe(tv).contains("frame of " + Times.format(FIRST + 20_000 - AHEAD)), "the frame's time on this host's clock: " + host.describe(tv));
    }

    @Test
    void withoutTheClockTheSameMomentFindsNothing() throws Exception {
        HostPast host = new HostPast("h2", source(0, new ArrayList<>()), Runnable::run, System::nanoTime);
        long tv = FIRST - AHEAD + 20_500;
        host.load(tv).get();
        assertFalse(host.at(tv).present(), "3 h before its recording by its own clock");
    }

    @Test
    void theViewsBootIsTheHostsOnThisHostsClock() throws Exception {
        List<long[]> asked = new ArrayList<>();
        long tv = FIRST - AHEAD + 20_500;
        PastClock clock = new PastClock(tv);
        clock.pause();
        PastView view = new PastView(List.of(new PastView.Host("h2", source(AHEAD, asked))), clock, Runnable::run);
        view.load(java.time.Duration.ofSeconds(5));
        PastView.Snapshot s = view.snapshot();
        assertEquals(1, s.present().size(), String.join("\n", view.status()));
        assertEquals(HOST_BTIME - AHEAD / 1000, s.present().getFirst().btime(), "its boot by its clock, less the 3 h it is ahead");
        assertEquals(HOST_BTIME - AHEAD / 1000, s.viewBtime());
        // uptime on the view's clock: the time shown minus that boot (620.5 s), as the host's own said then
        byte[] uptime = Rendering.uptime(s.present().getFirst().frame().file("uptime"), null, FIRST + 20_000, 0, s.tv(), s.viewBtime());
        assertEquals("620.50", new String(uptime, StandardCharsets.US_ASCII).split(" ")[0]);
    }

    /** A host stating {@code btime}, its boot measured here at {@code bootMillis}. */
    static io.procsys.fs.clock.BootInstant measured(long btime, long bootMillis) {
        return io.procsys.fs.clock.BootInstant.fromUptime(bootMillis, 0, 0, 0, btime);
    }

    @Test
    void aSkewUnderTwoSecondsIsTakenAsInStep() {
        long boot = HOST_BTIME * 1000 + 300; // btime floors 1796000000.300 to 1796000000
        assertEquals(0, AgentPast.aheadMillis(measured(HOST_BTIME, boot)));
        assertEquals(0, AgentPast.aheadMillis(measured(HOST_BTIME + 1, boot)));
        assertEquals(AHEAD, AgentPast.aheadMillis(measured(HOST_BTIME + AHEAD / 1000, boot)));
        assertEquals(-5000, AgentPast.aheadMillis(measured(HOST_BTIME - 5, boot)));
    }
}
