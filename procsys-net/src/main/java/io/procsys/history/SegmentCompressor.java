package io.procsys.history;

import java.util.zip.Deflater;

/**
 * Compresses a segment's blocks as one raw deflate stream (java.util.zip, no native library of
 * ours), flushed (SYNC_FLUSH) at the end of each block: a block costs nothing to start, and
 * later blocks refer back to the text of earlier ones (the last 32 KiB), as the frames in them do.
 * A block is decoded after the blocks before it in its segment.
 */
final class SegmentCompressor implements AutoCloseable {
    private final Deflater deflater;
    private byte[] buffer = new byte[64 * 1024];

    SegmentCompressor(int level) {
        deflater = new Deflater(level, true);
    }

    /** The next block is a segment's first. */
    void newSegment() {
        deflater.reset();
    }

    /** {@code length} bytes of {@code raw} compressed, to the end of a flushed block. */
    byte[] block(byte[] raw, int length) {
        deflater.setInput(raw, 0, length);
        int size = 0;
        while (true) {
            int n = deflater.deflate(buffer, size, buffer.length - size, Deflater.SYNC_FLUSH);
            size += n;
            if (size < buffer.length) break;
            buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
        }
        return java.util.Arrays.copyOf(buffer, size);
    }

    @Override
    public void close() {
        deflater.end();
    }
}
