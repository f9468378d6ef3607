package io.procsys.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.procsys.history.SegmentTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreTest {
    @TempDir
    Path dir;

    private List<BlockEntry> store(List<Segment.Block> blocks) throws IOException {
        List<BlockEntry> stored = new ArrayList<>();
        try (StoreWriter writer = StoreWriter.open(dir)) {
            for (Segment.Block b : blocks) stored.add(writer.append(b));
        }
        return stored;
    }

    private List<Frame> framesAt(long from, long to) throws IOException {
        List<Frame> frames = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(dir).segments(from, to, 1 << 24).segments()) frames.addAll(Segment.decode(seg).frames());
        return frames;
    }

    @Test
    void storedBlocksReadBackAsTheFramesTheyHold() throws IOException {
        List<Frame> frames = SegmentTest.aMinute();
        store(SegmentTest.write(frames, 12));
        assertEquals(frames, framesAt(T0, T0 + 60_000));
        assertEquals(List.of(DayFiles.dayOf(T0)), new StoreReader(dir).days());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(
                DayFiles.dayOf(T0).format(DayFiles.NAME) + DayFiles.DATA))));
    }

    @Test
    void aViewerBetweenSegmentsGetsTheLastFrameBeforeIt() throws IOException {
        List<Frame> frames = SegmentTest.aMinute();
        store(SegmentTest.write(frames, 12));
        List<Frame> later = framesAt(T0 + 70_000, T0 + 130_000);
        assertEquals(frames, later, "the segment before, ending 11 s before, whole");
        assertEquals(List.of(), framesAt(T0 + 700_000, T0 + 710_000), "none within reach");
    }

    @Test
    void aTornIndexEntryIsInvisibleAndTheWriterCarriesOnAfterIt() throws IOException {
        List<Segment.Block> blocks = SegmentTest.write(SegmentTest.aMinute(), 12);
        store(blocks.subList(0, 3));
        Path index = dir.resolve(DayFiles.dayOf(T0).format(DayFiles.NAME) + DayFiles.INDEX);
        Path data = dir.resolve(DayFiles.dayOf(T0).format(DayFiles.NAME) + DayFiles.DATA);
        // a crash in the middle of the fourth block: its bytes half written, its entry torn
        Files.write(data, java.util.Arrays.copyOf(blocks.get(3).bytes(), 100), StandardOpenOption.APPEND);
        byte[] entry = new BlockEntry(false, T0 + 36_000, T0 + 47_000, Files.size(data) - 100, blocks.get(3).bytes().length, 12,
                blocks.get(3).entry().dataCrc()).encode();
        Files.write(index, java.util.Arrays.copyOf(entry, 30), StandardOpenOption.APPEND);
        assertEquals(36, framesAt(T0, T0 + 60_000).size(), "the torn block never existed");
        store(SegmentTest.write(SegmentTest.aMinute().subList(50, 60), 12)); // restart: a new segment after the three blocks
        assertEquals(3 * BlockEntry.BYTES + BlockEntry.BYTES, Files.size(index), "the torn entry was cut off");
        List<BlockEntry> entries = new StoreReader(dir).entries(DayFiles.dayOf(T0));
        assertEquals(4, entries.size());
        assertTrue(entries.get(3).key());
        assertEquals(entries.get(2).offset() + entries.get(2).length(), entries.get(3).offset(), "the half block's bytes were cut off");
    }

    @Test
    void anEntryWhoseBytesNeverReachedTheDiskIsDroppedOnRestart() throws IOException {
        List<Segment.Block> blocks = SegmentTest.write(SegmentTest.aMinute(), 12);
        store(blocks.subList(0, 2));
        Path data = dir.resolve(DayFiles.dayOf(T0).format(DayFiles.NAME) + DayFiles.DATA);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length - 5] ^= 1; // the last block's bytes are not what its entry says
        Files.write(data, bytes);
        try (StoreWriter ignored = StoreWriter.open(dir)) {
            assertEquals(1, new StoreReader(dir).entries(DayFiles.dayOf(T0)).size());
        }
    }

    @Test
    void bytesNoEntryNamesBetweenTwoBlocksDoNotCutTheDayOnRestart() throws IOException {
        List<Segment.Block> blocks = SegmentTest.write(SegmentTest.aMinute(), 12);
        Path data = dir.resolve(DayFiles.dayOf(T0).format(DayFiles.NAME) + DayFiles.DATA);
        try (StoreWriter writer = StoreWriter.open(dir)) {
            writer.append(blocks.get(0));
            // what a full disk may leave: a block's bytes written, its entry refused
            Files.write(data, java.util.Arrays.copyOf(blocks.get(1).bytes(), 300), StandardOpenOption.APPEND);
            writer.append(blocks.get(1));
            writer.append(blocks.get(2));
        }
        try (StoreWriter ignored = StoreWriter.open(dir)) { // the agent restarts
            assertEquals(3, new StoreReader(dir).entries(DayFiles.dayOf(T0)).size(), "the blocks after the stray bytes are kept");
        }
        assertEquals(SegmentTest.aMinute().subList(0, 36), framesAt(T0, T0 + 60_000));
    }

    @Test
    void oneWriterAtATime() throws IOException {
        try (StoreWriter ignored = StoreWriter.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> StoreWriter.open(dir));
            assertTrue(e.getMessage().contains("another process"), e.getMessage());
        }
    }

    @Test
    void retentionDeletesWholeDaysAndHonoursTheSizeBound() throws IOException {
        LocalDate today = LocalDate.of(2026, 12, 10);
        for (int back = 9; back >= 0; back--) {
            LocalDate day = today.minusDays(back);
            Files.write(DayFiles.index(dir, day), new byte[BlockEntry.BYTES]);
            Files.write(DayFiles.data(dir, day), new byte[1000]);
        }
        Retention.Pass kept = Retention.apply(dir, today, 7, 1 << 20);
        assertEquals(List.of(today.minusDays(9), today.minusDays(8), today.minusDays(7)), kept.deleted());
        assertEquals(7, new StoreReader(dir).days().size());
        Retention.Pass capped = Retention.apply(dir, today, 7, 3 * (1000 + BlockEntry.BYTES));
        assertEquals(4, capped.deleted().size());
        assertEquals(List.of(today.minusDays(2), today.minusDays(1), today), new StoreReader(dir).days());
        assertFalse(capped.overBound());
        assertTrue(Retention.apply(dir, today, 7, 500).overBound(), "today alone over the bound");
        assertEquals(List.of(today), new StoreReader(dir).days(), "today is never deleted");
    }
}
