package io.procsys.fs;

import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.NativeBytes;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * An open file of a live source, read as procfs's seq_file reads: a read at offset 0, or at any
 * offset other than where the last read ended, renders the file anew and answers from the new
 * rendering at that offset; a read that goes on where the last one ended comes from the same
 * rendering, so a file read in chunks is one consistent text, and a read past the end answers 0
 * bytes until the next read at 0. That is what tools that sample rely on: top, vmstat and free
 * keep /proc/stat and /proc/meminfo open and at each sample lseek to 0 and read again.
 * <p>
 * The rendering made at open serves the first read if it comes within {@link #OPEN_RENDERING_NANOS},
 * from the reader that opened, and no poll came before it (a one-shot reader, open, read, close,
 * renders once; one that polls for a change first reads the change). Each rendering is made for the
 * reader that asks ({@link Renderer#render(Reader)}: its credentials, its rules), and a handle holds
 * one at a time, charged to the opener's user ({@link UserLimits}).
 * <p>
 * One rendering at a time per handle, made outside the handle's lock: reads that want one while it
 * is under way, for the same reader, wait for it and answer from it (their upcalls return at once),
 * so threads hammering one handle keep one FUSE worker busy, not all of them. And a handle renders
 * again no sooner than {@link #MIN_INTERVAL_NANOS}, or {@link #COST_FACTOR} times the work its last
 * rendering took here (a remote host's wait is no work), after the last one began: a read at 0 sooner is answered from the last rendering
 * (no tool samples that fast; a 5 MB kallsyms then costs its handle at most a fifth of a core). A
 * rendering that fails (the process exited: ESRCH, a host that is down) answers its readers with its
 * errno, and the next read renders again.
 */
public final class RenderedFile implements OpenFile {
    /** How long after open the open's rendering may still answer the first read. */
    static final long OPEN_RENDERING_NANOS = 1_000_000_000L;
    /** The shortest time between two renderings of one handle. */
    static final long MIN_INTERVAL_NANOS = 10_000_000L;
    /** A rendering that took T keeps the handle from rendering again for this many times T (up to a second). */
    static final int COST_FACTOR = 4;
    private static final long MAX_INTERVAL_NANOS = 1_000_000_000L;

    /** Makes the file's text anew: now (a local file) or later (a remote host's answer). */
    public interface Renderer {
        /** The file rendered now for {@code reader}, in native memory the handle releases; fails with an {@link ErrnoException}. */
        CompletableFuture<? extends NativeBytes> render(Reader reader);

        /** The handle is released: free what the renderer holds (the source's descriptor). */
        default void close() {}

        /** The source's descriptor, whose poll(2) answers for the file, or -1 (none). */
        default int pollSource() {
            return -1;
        }
    }

    /** A rendering under way, and the reader it is made for. */
    private record Flight(Reader reader, CompletableFuture<Void> done) {}

    private final Renderer renderer;
    private final long openedNanos;
    private final LongSupplier clock;
    /** The current rendering and whom it was made for (null once a rendering failed, or after close); guarded by this. */
    private NativeBytes content;
    private Reader renderedFor;
    /** Where the last read ended (-1: the next read renders); whether any read came yet; guarded by this. */
    private long readEnd;
    private boolean readYet, closed;
    /** The rendering under way (guarded by this), when the last one began and how long this daemon worked on it. */
    private Flight flight;
    private long renderStartNanos, renderCostNanos;
    private UserLimits.Usage account = UserLimits.UNBOUNDED;

    /** A handle on {@code first}, rendered at open for {@code opener}; later renderings come from {@code renderer}. */
    public RenderedFile(NativeBytes first, Renderer renderer, Reader opener) {
        this(first, renderer, opener, System.nanoTime(), System::nanoTime);
    }

    /** As above, rendered at {@code openedNanos} of {@code clock} (System.nanoTime). */
    RenderedFile(NativeBytes first, Renderer renderer, Reader opener, long openedNanos, LongSupplier clock) {
        this.content = first;
        this.renderedFor = opener;
        this.renderer = renderer;
        this.openedNanos = openedNanos;
        this.renderStartNanos = openedNanos;
        this.clock = clock;
    }

    @Override
    public synchronized long heldBytes() {
        return content == null ? 0 : content.bytes().byteSize();
    }

    @Override
    public synchronized boolean chargeTo(UserLimits.Usage usage) {
        if (!usage.charge(heldBytes())) return false;
        account = usage;
        return true;
    }

    @Override
    public void read(Request req, long size, long offset) {
        Flight joined;
        boolean start = false;
        synchronized (this) {
            if (closed) {
                req.replyError(Errno.EBADF);
                return;
            }
            if (content != null && readYet && offset != 0 && offset == readEnd) { // a read going on: no question of who reads
                replySlice(req, size, offset);
                return;
            }
            Reader reader = Reader.of(req);
            long now = clock.getAsLong();
            if (answersFromCurrent(offset, reader, now)) {
                replySlice(req, size, offset);
                return;
            }
            if (flight != null && flight.reader().sameIds(reader)) {
                joined = flight;
            } else if (content != null && renderedFor.sameIds(reader) && now - renderStartNanos < interval()) {
                replySlice(req, size, offset); // too soon after the last rendering: that one again
                return;
            } else {
                joined = flight = new Flight(reader, new CompletableFuture<>());
                renderStartNanos = now;
                start = true;
            }
        }
        joined.done().whenComplete((done, error) -> replyAfter(req, size, offset, error));
        if (start) render(joined);
    }

    /** Whether a read at {@code offset} is answered from the rendering held, else one is made. */
    private boolean answersFromCurrent(long offset, Reader reader, long now) {
        if (content == null) return false;
        if (!readYet) {
            readYet = true;
            if (now - openedNanos <= OPEN_RENDERING_NANOS && renderedFor.sameIds(reader)) return true;
        }
        return offset != 0 && offset == readEnd;
    }

    private long interval() {
        return Math.min(MAX_INTERVAL_NANOS, Math.max(MIN_INTERVAL_NANOS, COST_FACTOR * renderCostNanos));
    }

    /** Makes {@code flight}'s rendering, here (a local file) or when the host answers, and completes it. */
    private void render(Flight flight) {
        CompletableFuture<? extends NativeBytes> next;
        long began = clock.getAsLong();
        try {
            next = renderer.render(flight.reader());
        } catch (RuntimeException e) {
            next = CompletableFuture.failedFuture(e);
        }
        long cost = clock.getAsLong() - began; // this thread's work: a local rendering's whole, a remote one's request
        synchronized (this) {
            renderCostNanos = cost;
        }
        next.whenComplete((rendered, error) -> {
            Throwable failure = error != null ? error : install(flight, rendered);
            synchronized (this) {
                if (this.flight == flight) this.flight = null;
                if (failure != null) readEnd = -1;
            }
            if (failure == null) flight.done().complete(null);
            else flight.done().completeExceptionally(failure);
        });
    }

    /** Makes {@code rendered} the handle's rendering: null, or why it is not kept (released then). */
    private synchronized Throwable install(Flight flight, NativeBytes rendered) {
        if (closed) {
            rendered.release();
            return new ErrnoException(Errno.EBADF, "released while rendering");
        }
        long delta = rendered.bytes().byteSize() - heldBytes();
        if (!account.charge(delta)) {
            rendered.release();
            return new ErrnoException(Errno.EAGAIN, "the user holds too many bytes of renderings");
        }
        if (content != null) content.release();
        content = rendered;
        renderedFor = flight.reader();
        return null;
    }

    private void replyAfter(Request req, long size, long offset, Throwable error) {
        try {
            if (error != null) {
                req.replyError(errnoOf(error));
                return;
            }
            synchronized (this) {
                if (closed || content == null) req.replyError(closed ? Errno.EBADF : Errno.EIO);
                else replySlice(req, size, offset);
            }
        } catch (Throwable t) { // never out of a Netty callback
            if (!req.replied()) req.replyError(Errno.EIO);
        }
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
        renderStartNanos = clock.getAsLong() - MAX_INTERVAL_NANOS; // what it waited for is rendered at once
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (content != null) {
            account.charge(-content.bytes().byteSize());
            content.release();
        }
        content = null;
        renderer.close();
    }
}
