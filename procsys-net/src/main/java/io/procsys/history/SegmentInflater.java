package io.procsys.history;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Decompresses what {@link SegmentCompressor} made, block by block, each at most {@link #MAX_BLOCK} bytes once inflated. */
final class SegmentInflater implements AutoCloseable {
    /** Largest block once inflated (a writer closes a block before): past it the bytes are refused. */
    static final int MAX_BLOCK = 64 << 20;
    private final Inflater inflater = new Inflater(true);
    private byte[] buffer = new byte[64 * 1024];

    void newSegment() {
        inflater.reset();
    }

    /** The block's raw bytes: {@code length} compressed bytes of {@code bytes} from {@code from}. */
    byte[] block(byte[] bytes, int from, int length) {
        inflater.setInput(bytes, from, length);
        int size = 0;
        try {
            while (true) {
                if (size == buffer.length) {
                    if (buffer.length >= MAX_BLOCK) throw new CorruptHistoryException("a block of more than " + MAX_BLOCK + " bytes");
                    buffer = Arrays.copyOf(buffer, Math.min(MAX_BLOCK, buffer.length * 2));
                }
                int n = inflater.inflate(buffer, size, buffer.length - size);
                size += n;
                if (inflater.finished() || inflater.needsDictionary()) throw new CorruptHistoryException("a block that ends its stream");
                if (n == 0) {
                    if (inflater.needsInput()) break;
                    throw new CorruptHistoryException("a block that inflates to nothing");
                }
            }
        } catch (DataFormatException e) {
            throw new CorruptHistoryException("bad compressed block: " + e.getMessage());
        }
        return Arrays.copyOf(buffer, size);
    }

    @Override
    public void close() {
        inflater.end();
    }
}
