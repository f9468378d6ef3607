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
        public Frame capture(long nowMillis) {
            Frame f = source.capture(nowMillis);
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
        Recorder.FrameSource source = now -> Frames.frame(now, java.util.Map.of("loadavg", Item.file(("0.00 0.00 0.00 1/1 " + now % 1000 + "\n").getBytes())));
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
}
