package io.procsys.history;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array written front to back: varints (LEB128), zig-zag varints, raw bytes. */
final class Output {
    private byte[] bytes;
    private int size;

    Output(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    private void room(int n) {
        if (size + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
    }

    Output u8(int b) {
        room(1);
        bytes[size++] = (byte) b;
        return this;
    }

    /** An unsigned varint (values ≥ 0). */
    Output varint(long v) {
        if (v < 0) throw new IllegalArgumentException("negative varint " + v);
        room(10);
        while ((v & ~0x7fL) != 0) {
            bytes[size++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
        return this;
    }

    /** A signed value as a zig-zag varint: small magnitudes, either sign, take few bytes. */
    Output signed(long v) {
        room(10);
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7fL) != 0) {
            bytes[size++] = (byte) ((z & 0x7f) | 0x80);
            z >>>= 7;
        }
        bytes[size++] = (byte) z;
        return this;
    }

    Output bytes(byte[] b, int from, int length) {
        room(length);
        System.arraycopy(b, from, bytes, size, length);
        size += length;
        return this;
    }

    /** A length-prefixed byte string. */
    Output blob(byte[] b) {
        return blob(b, 0, b.length);
    }

    Output blob(byte[] b, int from, int length) {
        return varint(length).bytes(b, from, length);
    }

    Output string(String s) {
        return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** The buffer itself (valid up to {@link #size()}). */
    byte[] array() {
        return bytes;
    }

    void clear() {
        size = 0;
    }
}
