package io.procsys.fs.access;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.tree.NativeBytes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/** File contents as text and back: ISO-8859-1, so every byte survives as one char; the bytes malloc'ed for the reply path. */
public final class TextBytes {
    private TextBytes() {}

    public static String text(MemorySegment bytes) {
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    /** Bytes in malloc'ed memory (or empty: NULL of size 0), freed on release. */
    public record Malloced(MemorySegment bytes) implements NativeBytes {
        @Override
        public void release() {
            if (bytes.address() != 0) Libc.free(bytes);
        }
    }

    /** {@code text} in malloc'ed memory; ENOMEM if there is none. */
    public static Malloced of(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length == 0) return new Malloced(MemorySegment.NULL.reinterpret(0));
        MemorySegment data = Libc.malloc(bytes.length);
        if (data.equals(MemorySegment.NULL)) throw new ErrnoException(Errno.ENOMEM, "malloc");
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Malloced(data);
    }

    /** A new content made by {@code change} from {@code content}, which is released. */
    public static Malloced transformed(NativeBytes content, UnaryOperator<String> change) {
        try {
            return of(change.apply(text(content.bytes())));
        } finally {
            content.release();
        }
    }
}
