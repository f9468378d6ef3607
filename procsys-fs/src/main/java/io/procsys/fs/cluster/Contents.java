package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.procsys.fs.access.TextBytes;

import java.lang.foreign.MemorySegment;
import java.util.function.UnaryOperator;

/** File contents as text and back ({@link TextBytes}), as {@link Backend.Content}, and as received from a peer. */
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

    /** A remote file: the received bytes as one direct region, released with the content. */
    static Backend.Content received(ByteBuf received) {
        ByteBuf owned = oneDirectRegion(received);
        MemorySegment bytes = MemorySegment.ofBuffer(owned.nioBuffer());
        return new Backend.Content() {
            public MemorySegment bytes() {
                return bytes;
            }

            public void release() {
                owned.release();
            }
        };
    }

    /**
     * {@code received} itself when it is one direct region (the usual case), else a copy that is
     * (and {@code received} released): what fuse_reply_buf can take as native memory.
     */
    static ByteBuf oneDirectRegion(ByteBuf received) {
        if (received.isDirect() && received.nioBufferCount() == 1) return received;
        ByteBuf copy = received.alloc().directBuffer(received.readableBytes()).writeBytes(received);
        received.release();
        return copy;
    }
}
