package io.procsys.history;

import java.nio.charset.StandardCharsets;

/** Reads what {@link Output} wrote, trusting nothing: every length is bounded, and anything off is a {@link CorruptHistoryException}. */
final class Input {
    private final byte[] bytes;
    private int at;
    private final int end;

    Input(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    Input(byte[] bytes, int from, int length) {
        this.bytes = bytes;
        this.at = from;
        this.end = from + length;
    }

    boolean more() {
        return at < end;
    }

    int position() {
        return at;
    }

    int u8() {
        if (at >= end) throw new CorruptHistoryException("truncated");
        return bytes[at++] & 0xff;
    }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) throw new CorruptHistoryException("varint out of range");
                return v;
            }
        }
        throw new CorruptHistoryException("varint too long");
    }

    /** A varint that must be at most {@code max}. */
    int count(int max) {
        long v = varint();
        if (v > max) throw new CorruptHistoryException("count " + v + " over " + max);
        return (int) v;
    }

    long signed() {
        long z = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            z |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (z >>> 1) ^ -(z & 1);
        }
        throw new CorruptHistoryException("varint too long");
    }

    /** A length-prefixed byte string of at most {@code max} bytes. */
    byte[] blob(int max) {
        int n = count(max);
        if (n > end - at) throw new CorruptHistoryException("blob of " + n + " bytes past the end");
        byte[] out = java.util.Arrays.copyOfRange(bytes, at, at + n);
        at += n;
        return out;
    }

    String string(int max) {
        return new String(blob(max), StandardCharsets.UTF_8);
    }
}
