package io.procsys.history;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.procsys.net.agent.ProcessTableBuilder;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecorderTest {
    @TempDir
    Path dir;

    static HostCapture liveCapture(ProcTree proc) {
        ExportedTree tree = new ExportedTree(proc);
        return new HostCapture(tree, () -> {
            int[] errno = new int[1];
            return new ProcessTableBuilder(tree, true, HostCapture.TABLE_PARTS).build(UnpooledByteBufAllocator.DEFAULT, "", errno);
        }, 1000);
    }

    /** The frames a source gave, kept to compare with what was recorded. */
    record Kept(Recorder.FrameSource source, List<Frame> frames) implements Recorder.FrameSource {
        @Override
        public Frame capture(java.util.function.LongSupplier clock) {
            Frame f = source.capture(clock);
            frames.add(f);
            return f;
        }
    }

    @Test
    void thisHostRecordedComesBackFrameForFrame() throws IOException {
        try (ProcTree proc = ProcTree.open(Path.of("/proc"))) {
            Kept kept = new Kept(liveCapture(proc), new ArrayList<>());
            AtomicLong clock = new AtomicLong(1_765_000_000_000L);
            Recorder.Settings settings = new Recorder.Settings(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofHours(1), 7, 1L << 30, 9);
            try (Recorder recorder = new Recorder(kept, dir, settings, clock::get)) {
                for (int i = 0; i < 10; i++) {
                    recorder.tick();
                    clock.addAndGet(1000);
                }
                assertEquals(2, recorder.stats().blocks.sum(), "two blocks of 4 s closed, the third open");
            }
            List<Frame> read = new ArrayList<>();
            StoreReader reader = new StoreReader(dir);
            for (List<Segment.Block> seg : reader.segments(0, Long.MAX_VALUE / 2, 1 << 26).segments()) {
                Segment.Decoded decoded = Segment.decode(seg);
                assertNull(decoded.stoppedBecause());
                read.addAll(decoded.frames());
            }
            assertEquals("", Frames.firstDifference(kept.frames(), read), "a clean stop stores the open block too");
            Frame first = read.getFirst();
            assertNotNull(first.file("meminfo"));
            Task self = first.task((int) ProcessHandle.current().pid());
            assertNotNull(self, "this JVM is in the frame");
            assertFalse(self.item("stat").failed());
            assertTrue(first.tasks().values().stream().anyMatch(t -> t.owner() == ProcessHandle.current().pid()), "with its threads");
            assertNull(self.item("environ"), "environ is never taken");
        }
    }

    @Test
    void aWriteThatFailsStopsRecordingAndItResumesLater() throws IOException {
        AtomicLong clock = new AtomicLong(1_765_000_000_000L);
        Recorder.FrameSource source = wall -> {
            long now = wall.getAsLong();
            return Frames.frame(now, java.util.Map.of("loadavg", Item.file(("0.00 0.00 0.00 1/1 " + now % 1000 + "\n").getBytes())));
        };
        Recorder.Settings settings = new Recorder.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(1), 7, 1L << 30, 9);
        try (Recorder recorder = new Recorder(source, dir, settings, clock::get)) {
            // root writes through any mode: the day's data file is a directory instead, as unwritable as a full disk
            Path data = DayFiles.data(dir, DayFiles.dayOf(clock.get()));
            java.nio.file.Files.createDirectory(data);
            recorder.tick();
            clock.addAndGet(1000);
            recorder.tick(); // the block is due: its write fails
            assertNotNull(recorder.stats().stoppedBecause, "stopped");
            assertEquals(0, recorder.stats().blocks.sum());
            clock.addAndGet(500);
            recorder.tick();
            assertEquals(2, recorder.stats().frames.sum(), "no frame while stopped");
            java.nio.file.Files.delete(data);
            clock.addAndGet(500);
            recorder.tick();
            clock.addAndGet(1000);
            recorder.tick();
            assertNull(recorder.stats().stoppedBecause, "resumed");
            assertEquals(1, recorder.stats().blocks.sum());
        }
        List<Frame> read = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(dir).segments(0, Long.MAX_VALUE / 2, 1 << 26).segments()) read.addAll(Segment.decode(seg).frames());
        assertEquals(2, read.size(), "the lost block's frames are gone, the new segment's are there");
        assertTrue(read.getFirst().timeMillis() >= 1_765_000_002_000L);
    }

    /** A frame every 6 h of a fake clock: {@code padding} bytes of noise (deflate cannot shrink it) make each day's size known. */
    private static Recorder.FrameSource noisyFrames(int padding) {
        java.util.Random random = new java.util.Random(40);
        return clock -> {
            long now = clock.getAsLong();
            StringBuilder noise = new StringBuilder();
            for (int i = 0; i < padding / 8; i++) noise.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE), 0, 8);
            return Frames.frame(now, java.util.Map.of("loadavg", Item.file(("0.00 0.00 0.00 1/1 " + noise + "\n").getBytes())));
        };
    }

    /** Runs {@code recorder} for {@code days} days of its fake {@code clock}, a frame every 6 h. */
    private static void recordDays(Recorder recorder, AtomicLong clock, int days) {
        for (int i = 0; i < days * 4; i++) {
            recorder.tick();
            clock.addAndGet(Duration.ofHours(6).toMillis());
        }
    }

    /** The frames recorded in {@code dir}, by day. */
    private static java.util.Map<java.time.LocalDate, Integer> framesByDay(Path dir) throws IOException {
        java.util.Map<java.time.LocalDate, Integer> days = new java.util.TreeMap<>();
        for (List<Segment.Block> seg : new StoreReader(dir).segments(0, Long.MAX_VALUE / 2, 1 << 26).segments()) {
            for (Frame f : Segment.decode(seg).frames()) days.merge(DayFiles.dayOf(f.timeMillis()), 1, Integer::sum);
        }
        return days;
    }

    @Test
    void retentionOnTheRecordersClockKeepsTheLastWholeDays() throws IOException {
        AtomicLong clock = new AtomicLong(DayFiles.startOf(java.time.LocalDate.of(2026, 11, 20)) + 1);
        Recorder.Settings settings = new Recorder.Settings(Duration.ofHours(6), Duration.ofHours(6), Duration.ofHours(24), 3, 1L << 30, 9);
        try (Recorder recorder = new Recorder(noisyFrames(16), dir, settings, clock::get)) {
            recordDays(recorder, clock, 10);
        }
        java.util.Map<java.time.LocalDate, Integer> kept = framesByDay(dir);
        assertEquals(List.of(java.time.LocalDate.of(2026, 11, 27), java.time.LocalDate.of(2026, 11, 28), java.time.LocalDate.of(2026, 11, 29)),
                List.copyOf(kept.keySet()), "the last 3 days of 10, today included");
        assertEquals(List.of(4, 4, 4), List.copyOf(kept.values()), "each day kept whole: 4 frames of 6 h");
        assertEquals(3, new StoreReader(dir).days().size(), "older days' files are gone, not emptied");
    }

    @Test
    void theSizeBoundDeletesTheOldestWholeDays() throws IOException {
        AtomicLong clock = new AtomicLong(DayFiles.startOf(java.time.LocalDate.of(2026, 11, 20)) + 1);
        // 4 frames a day of 96 KiB of noise: ~200 KiB deflated a day; a 1 MiB bound holds 4 days, never part of one
        Recorder.Settings settings = new Recorder.Settings(Duration.ofHours(6), Duration.ofHours(6), Duration.ofHours(24), 30, 1L << 20, 9);
        try (Recorder recorder = new Recorder(noisyFrames(96 << 10), dir, settings, clock::get)) {
            recordDays(recorder, clock, 10);
            assertNull(recorder.stats().stoppedBecause, "older days made room: recording goes on");
        }
        java.util.Map<java.time.LocalDate, Integer> kept = framesByDay(dir);
        assertTrue(new StoreReader(dir).sizeBytes() <= 1L << 20, "within the bound: " + new StoreReader(dir).sizeBytes());
        assertTrue(kept.size() >= 2 && kept.size() < 10, "some days deleted, some kept: " + kept);
        assertEquals(java.time.LocalDate.of(2026, 11, 29), ((java.util.TreeMap<java.time.LocalDate, Integer>) kept).lastKey(), "the newest days stay");
        assertEquals(java.time.LocalDate.of(2026, 11, 29).minusDays(kept.size() - 1L).datesUntil(java.time.LocalDate.of(2026, 11, 30)).toList(),
                List.copyOf(kept.keySet()), "the days that went are the oldest: those kept run on to today");
        for (var day : kept.entrySet()) {
            boolean today = day.getKey().equals(java.time.LocalDate.of(2026, 11, 29));
            assertTrue(today || day.getValue() == 4, "a kept day is whole: " + kept);
        }
    }

    @Test
    void anArchiveGetsEveryClosedBlockAndServesThePastAlone() throws IOException {
        AtomicLong clock = new AtomicLong(1_765_000_000_000L);
        Path archive = dir.resolve("archive");
        Recorder.Settings settings = new Recorder.Settings(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofHours(1), 7, 1L << 30, 9);
        try (Recorder recorder = new Recorder(noisyFrames(16), dir.resolve("own"), settings, clock::get).archiveTo(archive)) {
            for (int i = 0; i < 7; i++) {
                recorder.tick();
                clock.addAndGet(1000);
            }
        }
        java.util.Map<java.time.LocalDate, Integer> own = framesByDay(dir.resolve("own"));
        assertEquals(java.util.Map.of(DayFiles.dayOf(1_765_000_000_000L), 7), own);
        assertEquals(own, framesByDay(archive), "the archive holds the same frames, readable without the host's own files");
    }

    /**
     * A frame is stamped with the time its counters were read, not the time the reading began nor
     * its middle: on a busy host the process table takes 20-400 ms, and a stamp before it (or in
     * it) scaled replayed rates (top showed 67-70 % for a 50 % burner). The counters are read
     * again after the table, and the frame stamped then.
     */
    @Test
    void aFrameIsStampedWhenItsCountersWereRead() throws IOException {
        java.nio.file.Files.writeString(dir.resolve("stat"), "cpu  100 0 50 1000 0 0 0 0 0 0\nctxt 5\n");
        java.nio.file.Files.writeString(dir.resolve("loadavg"), "0.00 0.00 0.00 1/1 1\n");
        AtomicLong clock = new AtomicLong(1_765_000_000_000L);
        long[] readingTakes = {150, 10, 120};
        int[] frame = {0};
        Path recording = dir.resolve("recording");
        try (ProcTree proc = ProcTree.open(dir)) {
            HostCapture slowTable = new HostCapture(new ExportedTree(proc), () -> {
                clock.addAndGet(readingTakes[frame[0]++]); // the table's reading, on the recorder's clock
                return null;
            }, 1000);
            Recorder.Settings settings = new Recorder.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofHours(1), 7, 1L << 30, 9);
            try (Recorder recorder = new Recorder(slowTable, recording, settings, clock::get)) {
                for (int i = 0; i < readingTakes.length; i++) {
                    clock.set(1_765_000_000_000L + 1000L * i);
                    recorder.tick();
                }
            }
        }
        List<Long> times = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(recording).segments(0, Long.MAX_VALUE / 2, 1 << 26).segments()) {
            for (Frame f : Segment.decode(seg).frames()) times.add(f.timeMillis());
        }
        assertEquals(List.of(1_765_000_000_150L, 1_765_000_001_010L, 1_765_000_002_120L), times, "each frame when its counters were read, after the table");
    }
}
