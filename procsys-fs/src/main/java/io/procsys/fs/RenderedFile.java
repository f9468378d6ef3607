package io.procsys.fs;

import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.NativeBytes;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * An open file of a live source, read as procfs's seq_file reads: a read at offset 0, or at any
 * offset other than where the last read ended, renders the file anew and answers from the new
 * rendering at that offset; a read that goes on where the last one ended comes from the same
 * rendering, so a file read in chunks is one consistent text, and a read past the end answers 0
 * bytes until the next read at 0. That is what tools that sample rely on: top, vmstat and free
 * keep /proc/stat and /proc/meminfo open and at each sample lseek to 0 and read again.
 * <p>
 * The rendering made at open serves the first read if it comes within {@link #OPEN_RENDERING_NANOS}
 * and no poll came before it (a one-shot reader, open, read, close, renders once; one that polls
 * for a change first reads the change). The handle holds one rendering at a time:
 * a new one releases the one it replaces, and release frees the last. A rendering that fails
 * (the process exited: ESRCH, a host that is down) answers that read with its errno, and the next
 * read renders again.
 */
public final class RenderedFile implements OpenFile {
    /** How long after open the open's rendering may still answer the first read. */
    static final long OPEN_RENDERING_NANOS = 1_000_000_000L;

    /** Makes the file's text anew: now (a local file) or later (a remote host's answer). */
    public interface Renderer {
        /** The file rendered now, in native memory the handle releases; fails with an {@link ErrnoException}. */
        CompletableFuture<? extends NativeBytes> render();

        /** The handle is released: free what the renderer holds (the source's descriptor). */
        default void close() {}

        /** The source's descriptor, whose poll(2) answers for the file, or -1 (none). */
        default int pollSource() {
            return -1;
        }
    }

    private final Renderer renderer;
    private final long openedNanos;
    /** The current rendering (null once a rendering failed, or after close); guarded by this. */
    private NativeBytes content;
    /** Where the last read ended (-1: the next read renders); whether any read came yet; guarded by this. */
    private long readEnd;
    private boolean readYet, closed;

    /** A handle on {@code first}, rendered at open; later renderings come from {@code renderer}. */
    public RenderedFile(NativeBytes first, Renderer renderer) {
        this(first, renderer, System.nanoTime());
    }

    /** As above, rendered at {@code openedNanos} (System.nanoTime). */
    RenderedFile(NativeBytes first, Renderer renderer, long openedNanos) {
        this.content = first;
        this.renderer = renderer;
        this.openedNanos = openedNanos;
    }

    @Override
    public void read(Request req, long size, long offset) {
        CompletableFuture<? extends NativeBytes> next;
        synchronized (this) {
            if (closed) {
                req.replyError(Errno.EBADF);
                return;
            }
            if (answersFromCurrent(offset)) {
                replySlice(req, size, offset);
                return;
            }
            next = renderer.render(); // a local file renders here, under the handle's lock
        }
        next.whenComplete((rendered, error) -> {
            try {
                replaceAndReply(req, size, offset, rendered, error);
            } catch (Throwable t) { // never out of a Netty callback
                if (!req.replied()) req.replyError(Errno.EIO);
            }
        });
    }

    /** Whether a read at {@code offset} is answered from the rendering held, else one is made. */
    private boolean answersFromCurrent(long offset) {
        if (content == null) return false;
        if (!readYet) {
            readYet = true;
            if (System.nanoTime() - openedNanos <= OPEN_RENDERING_NANOS) return true;
        }
        return offset != 0 && offset == readEnd;
    }

    private synchronized void replaceAndReply(Request req, long size, long offset, NativeBytes rendered, Throwable error) {
        if (error != null) {
            readEnd = -1;
            req.replyError(errnoOf(error));
            return;
        }
        if (closed) {
            rendered.release();
            req.replyError(Errno.EBADF);
            return;
        }
        if (content != null) content.release();
        content = rendered;
        replySlice(req, size, offset);
    }

    private void replySlice(Request req, long size, long offset) {
        MemorySegment data = content.bytes();
        long length = data.byteSize();
        long start = Math.min(offset, length);
        long n = Math.min(size, length - start);
        readEnd = Math.max(offset, start + n);
        req.replyBuffer(data.asSlice(start, n));
    }

    private static int errnoOf(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        return e instanceof ErrnoException r ? r.errno() : Errno.EIO;
    }

    @Override
    public int pollSource() {
        return renderer.pollSource();
    }

    /** After a poll the open's rendering no longer answers the first read: the poller waited for a change (findmnt --poll). */
    @Override
    public synchronized void polled() {
        readYet = true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (content != null) content.release();
        content = null;
        renderer.close();
    }
}
