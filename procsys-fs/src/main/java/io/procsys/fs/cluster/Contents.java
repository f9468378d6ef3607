package io.procsys.fs.cluster;

import io.procsys.fuse.Errno;
import io.procsys.fuse.Libc;
import io.procsys.net.client.RemoteError;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/** File contents as text and back: ISO-8859-1, so every byte survives as one char. */
final class Contents {
    private Contents() {}

    static String text(MemorySegment bytes) {
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    /** {@code text} in malloc'ed memory, for the reply path. */
    static Backend.Content of(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length == 0) {
            return new Backend.Content() {
                public MemorySegment bytes() {
                    return MemorySegment.NULL.reinterpret(0);
                }

                public void release() {}
            };
        }
        MemorySegment data = Libc.malloc(bytes.length);
        if (data.equals(MemorySegment.NULL)) throw new RemoteError(Errno.ENOMEM, "malloc");
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Backend.Content() {
            public MemorySegment bytes() {
                return data;
            }

            public void release() {
                Libc.free(data);
            }
        };
    }

    /** A new content made by {@code change} from {@code content}, which is released. */
    static Backend.Content transformed(Backend.Content content, UnaryOperator<String> change) {
        try {
            return of(change.apply(text(content.bytes())));
        } finally {
            content.release();
        }
    }
}
