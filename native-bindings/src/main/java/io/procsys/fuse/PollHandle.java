package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_lowlevel_h;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A poller waiting on an open file: libfuse's {@code struct fuse_pollhandle}, given with a poll
 * request when someone waits. Used once: {@link #notifyReady()} wakes the waiter (the kernel then
 * polls the file again), {@link #drop()} frees it unused (a newer poll replaced it, the file was
 * released). Either may be called from any thread; the second call of either does nothing.
 */
public interface PollHandle {
    /** Tells the kernel the file may be ready, and frees the handle. */
    void notifyReady();

    /** Frees the handle without telling. */
    void drop();

    /** No waiter: what a poll request carries when nobody waits (a plain readiness check). */
    PollHandle NONE = new PollHandle() {
        public void notifyReady() {}

        public void drop() {}
    };

    /** libfuse's handle at {@code pointer} (NULL: {@link #NONE}). */
    static PollHandle of(MemorySegment pointer) {
        return pointer.address() == 0 ? NONE : new Libfuse(pointer);
    }

    /** The real one: fuse_lowlevel_notify_poll, fuse_pollhandle_destroy. */
    final class Libfuse implements PollHandle {
        private final MemorySegment handle;
        private final AtomicBoolean used = new AtomicBoolean();

        private Libfuse(MemorySegment handle) {
            this.handle = handle;
        }

        @Override
        public void notifyReady() {
            if (used.compareAndSet(false, true)) {
                fuse_lowlevel_h.fuse_lowlevel_notify_poll(handle); // an unmounted session answers an error: nobody waits any more
                fuse_lowlevel_h.fuse_pollhandle_destroy(handle);
            }
        }

        @Override
        public void drop() {
            if (used.compareAndSet(false, true)) fuse_lowlevel_h.fuse_pollhandle_destroy(handle);
        }
    }
}
