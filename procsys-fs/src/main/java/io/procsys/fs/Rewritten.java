package io.procsys.fs;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.Libc;
import io.procsys.tree.NativeBytes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Renderings of a file whose text a layer above changes (the cluster view puts this host's start
 * times on its clock): each rendering of {@code source}, as text (ISO-8859-1: every byte one char),
 * through {@code rewrite}, into malloc'ed memory.
 */
record Rewritten(RenderedFile.Renderer source, UnaryOperator<String> rewrite) implements RenderedFile.Renderer {
    @Override
    public CompletableFuture<? extends NativeBytes> render() {
        return source.render().thenApply(rendered -> of(rendered, rewrite));
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public int pollSource() {
        return source.pollSource();
    }

    /** {@code bytes} rewritten by {@code rewrite} (and released), or {@code bytes} itself when {@code rewrite} is null. */
    static NativeBytes of(NativeBytes bytes, UnaryOperator<String> rewrite) {
        if (rewrite == null) return bytes;
        String text;
        try {
            text = new String(bytes.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        } finally {
            bytes.release();
        }
        return malloced(rewrite.apply(text).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static NativeBytes malloced(byte[] bytes) {
        MemorySegment data = bytes.length == 0 ? MemorySegment.NULL.reinterpret(0) : Libc.malloc(bytes.length);
        if (bytes.length > 0 && data.equals(MemorySegment.NULL)) throw new ErrnoException(Errno.ENOMEM, "malloc");
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new NativeBytes() {
            public MemorySegment bytes() {
                return data;
            }

            public void release() {
                if (data.address() != 0) Libc.free(data);
            }
        };
    }
}
