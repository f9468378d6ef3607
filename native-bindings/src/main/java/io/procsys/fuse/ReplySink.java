package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_lowlevel_h;

import java.lang.foreign.MemorySegment;

/**
 * Where replies go: libfuse's {@code fuse_reply_*} in a session ({@link #LIBFUSE}); something
 * else when the dispatch path is exercised without a kernel (benchmarks, tests).
 */
public interface ReplySink {
    int err(MemorySegment req, int errno);

    void none(MemorySegment req);

    int entry(MemorySegment req, MemorySegment entryParam);

    int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds);

    int readlink(MemorySegment req, MemorySegment link);

    int open(MemorySegment req, MemorySegment fileInfo);

    int buf(MemorySegment req, MemorySegment data, long size);

    int statfs(MemorySegment req, MemorySegment statvfs);

    /** Answers a poll with the events that are ready now ({@code POLLIN}, {@code POLLPRI}, ...). */
    int poll(MemorySegment req, int revents);

    /** The request's {@code struct fuse_ctx *}. */
    MemorySegment context(MemorySegment req);

    /** The real thing. */
    ReplySink LIBFUSE = new ReplySink() {
        @Override
        public int err(MemorySegment req, int errno) {
            return fuse_lowlevel_h.fuse_reply_err(req, errno);
        }

        @Override
        public void none(MemorySegment req) {
            fuse_lowlevel_h.fuse_reply_none(req);
        }

        @Override
        public int entry(MemorySegment req, MemorySegment entryParam) {
            return fuse_lowlevel_h.fuse_reply_entry(req, entryParam);
        }

        @Override
        public int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds) {
            return fuse_lowlevel_h.fuse_reply_attr(req, stat, timeoutSeconds);
        }

        @Override
        public int readlink(MemorySegment req, MemorySegment link) {
            return fuse_lowlevel_h.fuse_reply_readlink(req, link);
        }

        @Override
        public int open(MemorySegment req, MemorySegment fileInfo) {
            return fuse_lowlevel_h.fuse_reply_open(req, fileInfo);
        }

        @Override
        public int buf(MemorySegment req, MemorySegment data, long size) {
            return fuse_lowlevel_h.fuse_reply_buf(req, data, size);
        }

        @Override
        public int statfs(MemorySegment req, MemorySegment statvfs) {
            return fuse_lowlevel_h.fuse_reply_statfs(req, statvfs);
        }

        @Override
        public int poll(MemorySegment req, int revents) {
            return fuse_lowlevel_h.fuse_reply_poll(req, revents);
        }

        @Override
        public MemorySegment context(MemorySegment req) {
            return fuse_lowlevel_h.fuse_req_ctx(req);
        }
    };
}
