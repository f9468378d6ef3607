package io.procsys.history;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.procsys.history.Frames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentTest {
    static final long T0 = 1_765_000_000_000L;

    /** A minute of frames: a counter moving, a process started, one ended, a pid used again, a thread, a file gone. */
    static List<Frame> aMinute() throws IOException {
        Map<String, Item> files = fixtureFiles();
        List<Frame> frames = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            Map<String, Item> now = with(files, "loadavg", "0." + (10 + s) + " 0.20 0.30 1/100 " + (500 + s) + "\n");
            if (s >= 30) now.remove("net/dev");
            List<Task> tasks = new ArrayList<>(List.of(process(1, 5, "init", 100 + s / 10), process(200, 900, "burner", 1000 + 50L * s),
                    thread(201, 200, 905, "burner-w", 10L * s)));
            if (s < 20) tasks.add(process(300, 1000, "short", 7));
            if (s >= 20) tasks.add(process(300, 3000, "reused", 1)); // pid 300 again, another process
            if (s >= 40) tasks.add(process(400 + s, 4000 + s, "child", s));
            frames.add(frame(T0 + 1000L * s, now, tasks.toArray(Task[]::new)));
        }
        return frames;
    }

    static List<Segment.Block> write(List<Frame> frames, int perBlock) {
        List<Segment.Block> blocks = new ArrayList<>();
        try (SegmentWriter writer = new SegmentWriter(9)) {
            for (Frame f : frames) {
                writer.add(f);
                if (writer.frames() == perBlock) blocks.add(writer.closeBlock());
            }
            Segment.Block last = writer.closeBlock();
            if (last != null) blocks.add(last);
        }
        return blocks;
    }

    @Test
    void everyFrameComesBackAsItWas() throws IOException {
        List<Frame> frames = aMinute();
        List<Segment.Block> blocks = write(frames, 12);
        assertEquals(5, blocks.size());
        assertTrue(blocks.getFirst().entry().key());
        assertTrue(blocks.stream().skip(1).noneMatch(b -> b.entry().key()));
        Segment.Decoded decoded = Segment.decode(blocks);
        assertNull(decoded.stoppedBecause());
        assertEquals(frames, decoded.frames());
    }

    @Test
    void aReusedPidIsAnotherTask() throws IOException {
        List<Frame> frames = Segment.decode(write(aMinute(), 12)).frames();
        assertEquals(1000, frames.get(19).task(300).startTime());
        assertEquals(3000, frames.get(20).task(300).startTime());
        assertEquals("reused", new String(frames.get(20).task(300).item("cmdline").text()).split("\0")[0]);
        assertEquals(200, frames.get(0).task(201).owner(), "a thread knows its process");
    }

    @Test
    void aFrameThatChangesACounterCostsAFewBytes() throws IOException {
        Map<String, Item> files = fixtureFiles();
        Frame a = frame(T0, files, process(1, 5, "init", 100));
        Frame b = frame(T0 + 1000, with(files, "loadavg", "0.01 0.05 0.09 2/150 12346\n"), process(1, 5, "init", 101));
        FrameEncoder encoder = new FrameEncoder();
        Output key = new Output(1024), delta = new Output(64);
        encoder.key(a, key);
        encoder.delta(b, delta);
        assertTrue(key.size() > 3000, "the key frame holds every file: " + key.size());
        assertTrue(delta.size() < 40, "the delta holds the changes: " + delta.size() + " bytes");
    }

    @Test
    void aDamagedBlockEndsTheSegmentThereAndTheFramesBeforeStand() throws IOException {
        List<Segment.Block> blocks = new ArrayList<>(write(aMinute(), 12));
        Segment.Block third = blocks.get(2);
        byte[] bytes = third.bytes().clone();
        bytes[bytes.length / 2] ^= 0x40;
        blocks.set(2, new Segment.Block(third.entry(), bytes));
        Segment.Decoded decoded = Segment.decode(blocks);
        assertEquals(24, decoded.frames().size());
        assertNotNull(decoded.stoppedBecause());
        assertTrue(decoded.stoppedBecause().contains("CRC"), decoded.stoppedBecause());
    }

    @Test
    void aSegmentWithoutItsKeyBlockDecodesToNothing() throws IOException {
        List<Segment.Block> blocks = write(aMinute(), 12);
        Segment.Decoded decoded = Segment.decode(blocks.subList(1, blocks.size()));
        assertEquals(List.of(), decoded.frames());
        assertNotNull(decoded.stoppedBecause());
    }

    @Test
    void aTemplateFirstSeenInAChangedTaskServesATaskAddedInTheSameFrame() throws IOException {
        // task 100's cmdline changes to text a new task 200 also has: the template is defined once, where a decoder meets it first
        Task before = new Task(100, 0, 5, java.util.Map.of("cmdline", Item.file("sleep\0".getBytes())));
        Task after = new Task(100, 0, 5, java.util.Map.of("cmdline", Item.file("worker\0-n\03\0".getBytes())));
        Task added = new Task(200, 0, 9, java.util.Map.of("cmdline", Item.file("worker\0-n\04\0".getBytes())));
        List<Frame> frames = List.of(frame(T0, Map.of(), before), frame(T0 + 1000, Map.of(), after, added));
        Segment.Decoded decoded = Segment.decode(write(frames, 2));
        assertNull(decoded.stoppedBecause());
        assertEquals(frames, decoded.frames());
    }
}
