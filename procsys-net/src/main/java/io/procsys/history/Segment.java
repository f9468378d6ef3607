package io.procsys.history;

import java.util.ArrayList;
import java.util.List;

/**
 * The blocks of one segment, from its key block on, and the frames they decode to. Blocks are
 * checked against their entries' CRCs first; a segment that does not start with a key block, a
 * damaged block, or frames that do not decode end the segment there (the frames before stand).
 */
public final class Segment {
    /** A block: its index entry and its compressed bytes. */
    public record Block(BlockEntry entry, byte[] bytes) {
        public Block {
            if (bytes.length != entry.length()) throw new IllegalArgumentException(bytes.length + " bytes for an entry of " + entry.length());
        }
    }

    /** Largest frame (encoded) a reader takes. */
    static final int MAX_FRAME = 32 << 20;

    private Segment() {}

    /** What decoding gave: the frames, in order, and why it stopped early (null: it did not). */
    public record Decoded(List<Frame> frames, String stoppedBecause) {}

    /** Decodes {@code blocks} (a segment's, in order, the first its key block). */
    public static Decoded decode(List<Block> blocks) {
        List<Frame> frames = new ArrayList<>();
        try (SegmentInflater inflater = new SegmentInflater()) {
            FrameDecoder decoder = new FrameDecoder();
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                if (b.entry().key() != (i == 0)) return new Decoded(frames, i == 0 ? "the first block is no key block" : "a second key block");
                if (!b.entry().matches(b.bytes(), 0)) return new Decoded(frames, "block at " + b.entry().offset() + " fails its CRC");
                try {
                    if (i == 0) inflater.newSegment();
                    decodeBlock(inflater.block(b.bytes(), 0, b.bytes().length), decoder, b.entry(), frames);
                } catch (CorruptHistoryException e) {
                    return new Decoded(frames, "block at " + b.entry().offset() + ": " + e.getMessage());
                }
            }
        }
        return new Decoded(frames, null);
    }

    private static void decodeBlock(byte[] raw, FrameDecoder decoder, BlockEntry entry, List<Frame> into) {
        Input in = new Input(raw);
        List<Frame> frames = new ArrayList<>();
        while (in.more()) {
            int length = in.count(MAX_FRAME);
            int start = in.position();
            if (length > raw.length - start) throw new CorruptHistoryException("a frame past its block");
            Input frame = new Input(raw, start, length);
            frames.add(decoder.next(frame));
            if (frame.more()) throw new CorruptHistoryException("bytes after a frame");
            in = new Input(raw, start + length, raw.length - start - length);
        }
        if (frames.size() != entry.frames()) throw new CorruptHistoryException(frames.size() + " frames where the index says " + entry.frames());
        if (frames.getFirst().timeMillis() != entry.firstMillis() || frames.getLast().timeMillis() != entry.lastMillis()) {
            throw new CorruptHistoryException("frame times other than the index's");
        }
        into.addAll(frames);
    }
}
