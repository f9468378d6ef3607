package io.procsys.history;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a mount reads of a host's past comes from the host's agent, or from files on a disk that
 * may be damaged: whatever the bytes, reading them gives frames within the bounds or a
 * {@link CorruptHistoryException}, nothing else. And whatever a host holds, what is recorded
 * comes back byte for byte. Run as a test it replays the inputs kept in the resources;
 * {@code scripts/fuzz.sh} fuzzes it (JAZZER_FUZZ=1).
 */
class HistoryFuzzTest {
    /**
     * The first byte picks where the bytes go: a whole batch as an agent sends it; one block's
     * compressed bytes under a right entry (past the CRC, into the inflater); or raw frames,
     * deflated here, straight into the frame decoder.
     */
    @FuzzTest(maxDuration = "5s")
    void recordedBytesDecodeOrAreRefused(byte[] input) {
        if (input.length == 0) return;
        byte[] rest = java.util.Arrays.copyOfRange(input, 1, input.length);
        try {
            List<List<Segment.Block>> segments = switch (input[0] & 3) {
                case 0 -> SegmentBatch.read(rest).segments();
                case 1 -> List.of(List.of(block(rest)));
                default -> List.of(List.of(block(deflated(rest))));
            };
            for (List<Segment.Block> seg : segments) {
                Segment.Decoded decoded = Segment.decode(seg);
                for (Frame f : decoded.frames()) {
                    assertTrue(f.files().size() <= FrameFormat.MAX_FILES && f.tasks().size() <= FrameFormat.MAX_TASKS);
                    for (Item i : f.files().values()) if (!i.failed()) i.text();
                }
            }
        } catch (CorruptHistoryException refused) {
            // refused: fine
        }
    }

    private static Segment.Block block(byte[] bytes) {
        return new Segment.Block(new BlockEntry(true, 0, 0, 0, bytes.length, 1, BlockEntry.crc(bytes, 0, bytes.length)), bytes);
    }

    private static byte[] deflated(byte[] raw) {
        try (SegmentCompressor c = new SegmentCompressor(Deflater.BEST_SPEED)) {
            return c.block(raw, raw.length);
        }
    }

    /** Frames made of the input (tasks coming, changing and going, files of any bytes) come back as they were, through a batch. */
    @FuzzTest(maxDuration = "5s")
    void framesComeBackAsTheyWere(FuzzedDataProvider data) {
        List<Frame> frames = new ArrayList<>();
        Map<Integer, Task> tasks = new HashMap<>();
        Map<String, Item> files = new HashMap<>();
        long time = 1_000_000;
        int count = data.consumeInt(1, 12);
        for (int f = 0; f < count; f++) {
            int changes = data.consumeInt(0, 8);
            for (int c = 0; c < changes; c++) change(data, tasks, files);
            time += data.consumeInt(0, 10_000);
            frames.add(Frame.of(time, 1000, 0, files, tasks));
        }
        List<Segment.Block> blocks = new ArrayList<>();
        int perBlock = data.consumeInt(1, 4);
        try (SegmentWriter writer = new SegmentWriter(6)) {
            for (Frame frame : frames) {
                writer.add(frame);
                if (writer.frames() == perBlock) blocks.add(writer.closeBlock());
            }
            Segment.Block last = writer.closeBlock();
            if (last != null) blocks.add(last);
        }
        StoreReader.Found batch = SegmentBatch.read(SegmentBatch.write(new StoreReader.Found(List.of(blocks), false)));
        Segment.Decoded decoded = Segment.decode(batch.segments().getFirst());
        assertEquals(null, decoded.stoppedBecause());
        assertEquals("", Frames.firstDifference(frames, decoded.frames()));
    }

    private static void change(FuzzedDataProvider data, Map<Integer, Task> tasks, Map<String, Item> files) {
        int id = data.consumeInt(1, 40);
        switch (data.consumeInt(0, 4)) {
            case 0 -> files.put("f" + id % 5, item(data));
            case 1 -> files.remove("f" + id % 5);
            case 2 -> tasks.remove(id);
            case 3 -> tasks.put(id, new Task(id, data.consumeInt(0, 3), data.consumeLong(-1, 1L << 40), items(data)));
            default -> {
                Task t = tasks.get(id);
                if (t != null) tasks.put(id, new Task(id, t.owner(), t.startTime(), items(data)));
            }
        }
    }

    private static Map<String, Item> items(FuzzedDataProvider data) {
        Map<String, Item> items = new HashMap<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) items.put(data.pickValue(new String[]{"stat", "statm", "status", "exe", "attrs"}), item(data));
        return items;
    }

    private static Item item(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> Item.error(data.consumeInt(1, 4095));
            case 1 -> Item.link(data.consumeBytes(40));
            default -> Item.file(data.consumeBytes(200));
        };
    }
}
