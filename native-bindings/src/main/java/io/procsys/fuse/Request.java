package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_ctx;

import java.lang.foreign.MemorySegment;

/**
 * One request from the kernel. Exactly one reply must be sent for every request except forget;
 * the dispatcher sends EIO for a request the filesystem failed to answer because it threw.
 */
public sealed class Request permits Request.Timed {
    private final MemorySegment req;
    private final ReplySink sink;
    private boolean replied;

    Request(MemorySegment req, ReplySink sink) {
        this.req = req;
        this.sink = sink;
    }

    /**
     * A request timed from its upcall to its reply. A subclass, so that an untimed request (no
     * --metrics-listen) stays as small as it was and its reply calls nothing more.
     */
    static final class Timed extends Request {
        private final OperationTimer timer;
        private final Operation operation;
        private final long startNanos = System.nanoTime();

        Timed(MemorySegment req, ReplySink sink, OperationTimer timer, Operation operation) {
            super(req, sink);
            this.timer = timer;
            this.operation = operation;
        }

        @Override
        void replying(boolean failed) {
            timer.replied(operation, System.nanoTime() - startNanos, failed);
        }
    }

    /** Called once, as the first reply is sent: a timed request tells its timer. */
    void replying(boolean failed) {}

    /**
     * A request whose replies go to {@code sink}, {@code req} standing for libfuse's request
     * pointer (given back to the sink, never dereferenced by this layer): how a filesystem is
     * driven without a kernel, in tests.
     */
    public static Request to(ReplySink sink, MemorySegment req) {
        return new Request(req, sink);
    }

    public boolean replied() {
        return replied;
    }

    /** The caller's ids; {@code pid} is the calling thread's id in the mount's pid namespace. */
    public RequestContext context() {
        MemorySegment ctx = sink.context(req).reinterpret(fuse_ctx.sizeof());
        return new RequestContext(fuse_ctx.uid(ctx), fuse_ctx.gid(ctx), fuse_ctx.pid(ctx), fuse_ctx.umask(ctx));
    }

    /** The calling thread's id, without building a whole context. */
    public int callerThreadId() {
        return fuse_ctx.pid(sink.context(req).reinterpret(fuse_ctx.sizeof()));
    }

    private int sent(int result) {
        return sent(result, false);
    }

    private int sent(int result, boolean failed) {
        if (!replied) replying(failed);
        replied = true;
        return result;
    }

    /** Replies with an error ({@code errno} &gt; 0) or success without data (0). */
    public int replyError(int errno) {
        return sent(sink.err(req, errno), errno != 0);
    }

    /** Replies "done" to a forget. */
    public void replyNone() {
        sink.none(req);
        sent(0);
    }

    /** This thread's entry being built for a lookup reply, cleared. */
    public EntryParam newEntry() {
        return new EntryParam(Scratch.current().entry).clear();
    }

    /** A {@code struct stat} for this thread to fill, valid until its next request. */
    public MemorySegment statBuffer() {
        return Scratch.current().stat;
    }

    /** A {@code struct statvfs} for this thread to fill, valid until its next request. */
    public MemorySegment statvfsBuffer() {
        return Scratch.current().statvfs;
    }

    /** A native buffer of at least {@code size} bytes, valid until this thread's next request. */
    public MemorySegment buffer(long size) {
        return Scratch.current().buffer(size);
    }

    /** Returns 0, or -errno when the kernel no longer waits for this reply (then no lookup was taken). */
    public int replyEntry(EntryParam entry) {
        return sent(sink.entry(req, entry.segment()));
    }

    public int replyAttr(MemorySegment stat, double timeoutSeconds) {
        return sent(sink.attr(req, stat, timeoutSeconds));
    }

    /** Replies a symlink's text, given as a NUL-terminated C string. */
    public int replyReadlink(MemorySegment cString) {
        return sent(sink.readlink(req, cString));
    }

    /** Replies a symlink's text. */
    public int replyReadlink(String text) {
        MemorySegment name = Scratch.current().name;
        name.setString(0, text);
        return replyReadlink(name);
    }

    public int replyOpen(FileInfo fileInfo) {
        return sent(sink.open(req, fileInfo.segment()));
    }

    /** Replies data straight from native memory: the whole of {@code data}, no copy on the Java heap. */
    public int replyBuffer(MemorySegment data) {
        return sent(sink.buf(req, data, data.byteSize()));
    }

    /** Answers a poll: the events ready now. */
    public int replyPoll(int revents) {
        return sent(sink.poll(req, revents));
    }

    public int replyStatfs(MemorySegment statvfs) {
        return sent(sink.statfs(req, statvfs));
    }

    /** A buffer to fill with directory entries for a readdir(plus) reply of at most {@code size} bytes. */
    public DirectoryBuffer directoryBuffer(long size) {
        return new DirectoryBuffer(this, req, Scratch.current(), size);
    }

}
