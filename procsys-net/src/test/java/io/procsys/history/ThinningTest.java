package io.procsys.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Older days thinned to one frame a minute, on a fake clock (issue 40: "older days may be thinned"). */
class ThinningTest {
    static final LocalDate FIRST = LocalDate.of(2026, 11, 20);
    static final Recorder.Settings EVERY_30S = new Recorder.Settings(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(1), 7, 1L << 30, 9);

    @TempDir
    Path dir;

    /** A host whose counters move every frame: loadavg's last pid and a process's utime. */
    static Recorder.FrameSource movingHost() throws IOException {
        Map<String, Item> files = Frames.fixtureFiles();
        AtomicLong n = new AtomicLong();
        return clock -> {
            long now = clock.getAsLong();
            long i = n.incrementAndGet();
            return Frames.frame(now, Frames.with(files, "loadavg", "0.50 0.40 0.30 2/200 " + i + "\n"), Frames.process(100, 5, "burner", i * 3));
        };
    }

    /** Records from {@link #FIRST}'s first millisecond for {@code hours}, a frame every 30 s; the frames taken. */
    List<Frame> record(int hours, int thinAfter) throws IOException {
        RecorderTest.Kept kept = new RecorderTest.Kept(movingHost(), new ArrayList<>());
        AtomicLong clock = new AtomicLong(DayFiles.startOf(FIRST) + 1);
        try (Recorder recorder = new Recorder(kept, dir, EVERY_30S, clock::get).thinAfter(thinAfter)) {
            for (int i = 0; i < hours * 120; i++) {
                recorder.tick();
                clock.addAndGet(30_000);
            }
        }
        return kept.frames();
    }

    /** The frames stored for {@code day}, and that every block of it passes its CRC. */
    List<Frame> stored(LocalDate day) throws IOException {
        List<Frame> out = new ArrayList<>();
        long from = DayFiles.startOf(day), to = DayFiles.startOf(day.plusDays(1)) - 1;
        for (List<Segment.Block> seg : new StoreReader(dir).segments(from, to, 1 << 28).segments()) {
            Segment.Decoded d = Segment.decode(seg);
            assertNull(d.stoppedBecause(), "every block of " + day + " reads whole");
            for (Frame f : d.frames()) if (DayFiles.dayOf(f.timeMillis()).equals(day)) out.add(f);
        }
        return out;
    }

    /** What thinning should keep of {@code frames} of {@code day}: the first of each minute, its interval the minute. */
    static List<Frame> firstOfEachMinute(List<Frame> frames, LocalDate day) {
        List<Frame> out = new ArrayList<>();
        long minute = Long.MIN_VALUE;
        for (Frame f : frames) {
            if (!DayFiles.dayOf(f.timeMillis()).equals(day) || f.timeMillis() / 60_000 == minute) continue;
            minute = f.timeMillis() / 60_000;
            out.add(new Frame(f.timeMillis(), 60_000, f.buildMicros(), f.files(), f.tasks()));
        }
        return out;
    }

    static List<Frame> of(List<Frame> frames, LocalDate day) {
        return frames.stream().filter(f -> DayFiles.dayOf(f.timeMillis()).equals(day)).toList();
    }

    @Test
    void daysBeforeTheLastTwoKeepTheFirstFrameOfEachMinute() throws IOException {
        List<Frame> taken = record(49, 2); // two days and the first hour of a third
        LocalDate second = FIRST.plusDays(1), third = FIRST.plusDays(2);
        List<Frame> thinned = stored(FIRST);
        assertEquals(1440, thinned.size(), "a frame a minute of 2880");
        assertEquals("", Frames.firstDifference(firstOfEachMinute(taken, FIRST), thinned), "each minute's first frame, byte for byte");
        assertEquals("", Frames.firstDifference(of(taken, second), stored(second)), "yesterday is whole");
        assertEquals("", Frames.firstDifference(of(taken, third), stored(third)), "today is whole");
        List<BlockEntry> entries = new StoreReader(dir).entries(FIRST);
        assertEquals(1440, entries.stream().mapToInt(BlockEntry::frames).sum(), "the new index's entries are whole and right (their CRCs)");
        long thinBytes = Files.size(DayFiles.data(dir, FIRST)), wholeBytes = Files.size(DayFiles.data(dir, second));
        System.out.println("ThinningTest: a thinned day " + thinBytes + " bytes, a whole one " + wholeBytes);
        assertTrue(thinBytes < wholeBytes * 2 / 3, "smaller: " + thinBytes + " bytes against " + wholeBytes);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(Thinning.THIN)).toList(), "nothing left beside the days");
        }
        assertEquals(List.of(), Thinning.apply(dir, third, 2, null, 9), "a thinned day is not thinned again");
    }

    @Test
    void aRecordingThatDoesNotThinKeepsEveryFrame() throws IOException {
        List<Frame> taken = record(49, 0);
        assertEquals("", Frames.firstDifference(of(taken, FIRST), stored(FIRST)));
    }

    @Test
    void aThinningCutShortByACrashIsFinishedOrUndone() throws IOException {
        List<Frame> taken = record(25, 0);
        LocalDate second = FIRST.plusDays(1);
        // the first day: its data renamed in place, its index not yet (a crash between the two renames)
        Thinning.write(dir, FIRST, 9);
        Files.move(Thinning.thin(DayFiles.data(dir, FIRST)), DayFiles.data(dir, FIRST), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        List<Frame> torn = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(dir).segments(DayFiles.startOf(FIRST), DayFiles.startOf(second) - 1, 1 << 28).segments()) {
            torn.addAll(Segment.decode(seg).frames());
        }
        assertNotEquals(2880, torn.size(), "the old index on the new data: its blocks fail their CRCs");
        // the second day: both thinned files written, the renames not begun
        Thinning.write(dir, second, 9);
        Thinning.finishInterrupted(dir);
        assertEquals("", Frames.firstDifference(firstOfEachMinute(taken, FIRST), stored(FIRST)), "the swap was finished");
        assertEquals("", Frames.firstDifference(of(taken, second), stored(second)), "the swap that had not begun was undone");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(Thinning.THIN)).toList());
        }
    }
}
