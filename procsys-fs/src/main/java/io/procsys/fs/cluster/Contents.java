package io.procsys.fs.cluster;

import io.procsys.fs.access.TextBytes;

import java.lang.foreign.MemorySegment;
import java.util.function.UnaryOperator;

/** File contents as text and back ({@link TextBytes}), as {@link Backend.Content}. */
final class Contents {
    private Contents() {}

    static String text(MemorySegment bytes) {
        return TextBytes.text(bytes);
    }

    /** Bytes in malloc'ed memory (or empty: NULL of size 0), freed on release. */
    record Malloced(MemorySegment bytes) implements Backend.Content {
        @Override
        public void release() {
            new TextBytes.Malloced(bytes).release();
        }
    }

    /** {@code text} in malloc'ed memory, for the reply path. */
    static Backend.Content of(String text) {
        return new Malloced(TextBytes.of(text).bytes());
    }

    /** A new content made by {@code change} from {@code content}, which is released. */
    static Backend.Content transformed(Backend.Content content, UnaryOperator<String> change) {
        return new Malloced(TextBytes.transformed(content, change).bytes());
    }
}
