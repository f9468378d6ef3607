package io.procsys.fs;

import io.procsys.fs.access.Reader;
import io.procsys.fs.access.TextBytes;
import io.procsys.tree.NativeBytes;

import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Renderings of a file whose text a layer above changes (the cluster view puts this host's start
 * times on its clock): each rendering of {@code source}, as text ({@link TextBytes}), through
 * {@code rewrite}, into malloc'ed memory.
 */
record Rewritten(RenderedFile.Renderer source, UnaryOperator<String> rewrite) implements RenderedFile.Renderer {
    @Override
    public CompletableFuture<? extends NativeBytes> render(Reader reader) {
        return source.render(reader).thenApply(rendered -> of(rendered, rewrite));
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
        return rewrite == null ? bytes : TextBytes.transformed(bytes, rewrite);
    }
}
