package io.procsys.history;

/**
 * Turns frames into blocks of a segment: each frame encoded against the one before (the first of
 * a segment as a key frame), length-prefixed into the open block, which {@link #closeBlock}
 * compresses. Pure: where blocks go is the caller's business. Not thread-safe.
 */
public final class SegmentWriter implements AutoCloseable {
    /** A block is closed before it passes this many raw bytes, whatever its time span. */
    public static final int MAX_RAW_BLOCK = 16 << 20;

    private final FrameEncoder encoder = new FrameEncoder();
    private final SegmentCompressor compressor;
    private final Output block = new Output(64 * 1024);
    private final Output frame = new Output(16 * 1024);
    private boolean segmentStarts = true, blockIsKey;
    private int frames;
    private long firstMillis, lastMillis;

    /** {@code level}: the deflate level (1..9). */
    public SegmentWriter(int level) {
        compressor = new SegmentCompressor(level);
    }

    /** The next frame starts a new segment (a new day, a restart): closes the open block first if it has frames. */
    public void newSegment() {
        segmentStarts = true;
    }

    /** Whether the next frame starts a segment. */
    public boolean segmentStarts() {
        return segmentStarts;
    }

    /** Adds {@code f} to the open block. Close a block holding frames before starting a new segment. */
    public void add(Frame f) {
        if (frames > 0 && segmentStarts) throw new IllegalStateException("close the block before a new segment begins");
        if (frames > 0 && f.timeMillis() < lastMillis) throw new IllegalArgumentException("a frame older than the one before");
        frame.clear();
        // a dictionary near its bound starts a segment with the next block (there is room till then)
        if (segmentStarts || (frames == 0 && encoder.needsKey())) {
            encoder.key(f, frame);
            compressor.newSegment();
            segmentStarts = false;
            blockIsKey = true;
        } else {
            encoder.delta(f, frame);
        }
        block.varint(frame.size()).bytes(frame.array(), 0, frame.size());
        if (frames == 0) firstMillis = f.timeMillis();
        lastMillis = f.timeMillis();
        frames++;
    }

    /** Frames in the open block. */
    public int frames() {
        return frames;
    }

    /** Raw (uncompressed) bytes in the open block. */
    public int rawBytes() {
        return block.size();
    }

    /** The time of the open block's first frame. */
    public long firstMillis() {
        return firstMillis;
    }

    /** Whether the open block is a segment's first (a key block), or would be with its first frame. */
    public boolean keyNext() {
        return frames == 0 ? segmentStarts || encoder.needsKey() : blockIsKey;
    }

    /** The open block, compressed, at offset 0 (the store places it); null if it holds no frame. */
    public Segment.Block closeBlock() {
        if (frames == 0) return null;
        byte[] bytes = compressor.block(block.array(), block.size());
        BlockEntry entry = new BlockEntry(blockIsKey, firstMillis, lastMillis, 0, bytes.length, frames, BlockEntry.crc(bytes, 0, bytes.length));
        block.clear();
        frames = 0;
        blockIsKey = false;
        return new Segment.Block(entry, bytes);
    }

    @Override
    public void close() {
        compressor.close();
    }
}
