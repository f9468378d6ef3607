package io.procsys.history;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Recorded segments as one byte string: what an agent sends a mount that asks for a host's past
 * (a History reply), checked whole on arrival.
 *
 * <pre>
 * u32 magic | u8 version | u8 flags (1: truncated: segments were left out past the byte bound) | u16 0
 * | u32 blocks | blocks × {@link BlockEntry} (48 bytes; the offset field: where its bytes start after the entries)
 * | every block's bytes, back to back
 * </pre>
 * Blocks are in time order; each segment starts at a key block.
 */
public final class SegmentBatch {
    static final int MAGIC = 0x50534842; // "PSHB"
    static final int VERSION = 1, TRUNCATED = 1, HEADER = 12;
    /** Most blocks in one batch (a day at one block a minute is 1 440). */
    public static final int MAX_BLOCKS = 1 << 16;

    private SegmentBatch() {}

    public static byte[] write(StoreReader.Found found) {
        List<Segment.Block> blocks = new ArrayList<>();
        for (List<Segment.Block> seg : found.segments()) blocks.addAll(seg);
        if (blocks.size() > MAX_BLOCKS) throw new IllegalArgumentException(blocks.size() + " blocks in one batch");
        int size = HEADER + blocks.size() * BlockEntry.BYTES + blocks.stream().mapToInt(b -> b.bytes().length).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(MAGIC).put((byte) VERSION).put((byte) (found.truncated() ? TRUNCATED : 0)).putShort((short) 0).putInt(blocks.size());
        long at = 0;
        for (Segment.Block b : blocks) {
            BlockEntry e = b.entry();
            out.put(new BlockEntry(e.key(), e.firstMillis(), e.lastMillis(), at, e.length(), e.frames(), e.dataCrc()).encode());
            at += e.length();
        }
        for (Segment.Block b : blocks) out.put(b.bytes());
        return out.array();
    }

    /** The segments in {@code bytes}; a malformed batch (any entry or block that does not check) is a {@link CorruptHistoryException}. */
    public static StoreReader.Found read(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER || in.getInt() != MAGIC) throw new CorruptHistoryException("not a batch of recorded blocks");
        int version = in.get() & 0xff, flags = in.get() & 0xff;
        in.getShort();
        int count = in.getInt();
        if (version != VERSION || (flags & ~TRUNCATED) != 0) throw new CorruptHistoryException("batch version " + version + ", flags " + flags);
        if (count < 0 || count > MAX_BLOCKS || (long) count * BlockEntry.BYTES > bytes.length - HEADER) {
            throw new CorruptHistoryException("a batch of " + count + " blocks");
        }
        int dataStart = HEADER + count * BlockEntry.BYTES;
        List<List<Segment.Block>> segments = new ArrayList<>();
        long expected = 0, lastMillis = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            BlockEntry e = BlockEntry.decode(bytes, HEADER + i * BlockEntry.BYTES);
            if (e == null || e.offset() != expected || dataStart + expected + e.length() > bytes.length || e.firstMillis() < lastMillis) {
                throw new CorruptHistoryException("block entry " + i + " of the batch");
            }
            int from = dataStart + (int) expected;
            if (!e.matches(bytes, from)) throw new CorruptHistoryException("block " + i + " of the batch fails its CRC");
            if (e.key()) segments.add(new ArrayList<>());
            else if (segments.isEmpty()) throw new CorruptHistoryException("a batch that does not start with a key block");
            segments.getLast().add(new Segment.Block(e, java.util.Arrays.copyOfRange(bytes, from, from + e.length())));
            expected += e.length();
            lastMillis = e.lastMillis();
        }
        if (dataStart + expected != bytes.length) throw new CorruptHistoryException("bytes after the batch's blocks");
        return new StoreReader.Found(segments, (flags & TRUNCATED) != 0);
    }
}
