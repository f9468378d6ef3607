package io.procsys.history;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One block's entry in a day's index: where its bytes are in the day's data file, the times of
 * its first and last frames, and two CRCs. An entry whose own CRC or magic is wrong, or whose
 * bytes do not match their CRC, never existed: a write torn by a crash is invisible.
 *
 * <pre>
 * u32 magic | u32 flags (1: a segment starts here, with a key frame) | i64 first ms | i64 last ms
 * | i64 offset | u32 length | u32 frames | u32 CRC-32C of the block's bytes | u32 CRC-32C of the 44 bytes before
 * </pre>
 */
public record BlockEntry(boolean key, long firstMillis, long lastMillis, long offset, int length, int frames, int dataCrc) {
    public static final int BYTES = 48;
    static final int MAGIC = 0x50534849; // "PSHI"
    static final int KEY = 1;
    /** Largest block (compressed) a reader takes. */
    public static final int MAX_LENGTH = 16 << 20;

    public BlockEntry {
        if (length < 0 || frames < 1 || offset < 0 || lastMillis < firstMillis) {
            throw new IllegalArgumentException("block entry " + length + " bytes, " + frames + " frames, " + firstMillis + ".." + lastMillis);
        }
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putInt(key ? KEY : 0).putLong(firstMillis).putLong(lastMillis).putLong(offset)
                .putInt(length).putInt(frames).putInt(dataCrc);
        b.putInt(crc(b.array(), 0, BYTES - 4));
        return b.array();
    }

    /** The entry at {@code at}, or null when it is torn or damaged (or not an entry). */
    public static BlockEntry decode(byte[] bytes, int at) {
        if (at < 0 || at + BYTES > bytes.length) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes, at, BYTES);
        if (b.getInt() != MAGIC) return null;
        int flags = b.getInt();
        long first = b.getLong(), last = b.getLong(), offset = b.getLong();
        int length = b.getInt(), frames = b.getInt(), dataCrc = b.getInt(), crc = b.getInt();
        if (crc != crc(bytes, at, BYTES - 4) || (flags & ~KEY) != 0 || length < 0 || length > MAX_LENGTH || frames < 1
                || offset < 0 || last < first) {
            return null;
        }
        return new BlockEntry((flags & KEY) != 0, first, last, offset, length, frames, dataCrc);
    }

    /** Whether {@code bytes} (from {@code at}, {@link #length} of them) are this block's. */
    public boolean matches(byte[] bytes, int at) {
        return at >= 0 && at + length <= bytes.length && crc(bytes, at, length) == dataCrc;
    }

    static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    /** Whether {@code millis} falls within this block's frames. */
    public boolean covers(long millis) {
        return millis >= firstMillis && millis <= lastMillis;
    }
}
