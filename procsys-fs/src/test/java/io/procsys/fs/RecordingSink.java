package io.procsys.fs;

import io.procsys.fuse.EntryParam;
import io.procsys.fuse.FileInfo;
import io.procsys.fuse.ReplySink;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Replies of a filesystem driven without a kernel, one record each, in order (tests). */
public class RecordingSink implements ReplySink {
    /** What the filesystem replied, one record per reply. */
    public record Reply(String kind, int errno, long node, FileAttributes attributes, long handle, byte[] data) {}

    public final List<Reply> replies = new ArrayList<>();
    private final MemorySegment context = Arena.ofAuto().allocate(64);

    /** Makes the requests come from {@code uid}, {@code gid}, thread {@code tid} (struct fuse_ctx: uid, gid, pid, umask). */
    public void caller(int uid, int gid, int tid) {
        context.set(ValueLayout.JAVA_INT, 0, uid);
        context.set(ValueLayout.JAVA_INT, 4, gid);
        context.set(ValueLayout.JAVA_INT, 8, tid);
    }

    public Reply last() {
        return replies.getLast();
    }

    @Override
    public int err(MemorySegment req, int errno) {
        replies.add(new Reply("err", errno, 0, null, 0, null));
        return 0;
    }

    @Override
    public void none(MemorySegment req) {
        replies.add(new Reply("none", 0, 0, null, 0, null));
    }

    @Override
    public int entry(MemorySegment req, MemorySegment entryParam) {
        EntryParam entry = new EntryParam(entryParam);
        replies.add(new Reply("entry", 0, entry.nodeId(), FileAttributes.of(entry.attr()), 0, null));
        return 0;
    }

    @Override
    public int attr(MemorySegment req, MemorySegment stat, double timeoutSeconds) {
        replies.add(new Reply("attr", 0, 0, FileAttributes.of(stat), 0, null));
        return 0;
    }

    @Override
    public int readlink(MemorySegment req, MemorySegment link) {
        byte[] text = link.reinterpret(Long.MAX_VALUE).getString(0).getBytes(StandardCharsets.UTF_8);
        replies.add(new Reply("readlink", 0, 0, null, 0, text));
        return 0;
    }

    @Override
    public int open(MemorySegment req, MemorySegment fileInfo) {
        replies.add(new Reply("open", 0, 0, null, new FileInfo(fileInfo).handle(), null));
        return 0;
    }

    @Override
    public int buf(MemorySegment req, MemorySegment data, long size) {
        replies.add(new Reply("buf", 0, 0, null, 0, data.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE)));
        return 0;
    }

    @Override
    public int statfs(MemorySegment req, MemorySegment statvfs) {
        replies.add(new Reply("statfs", 0, 0, null, 0, null));
        return 0;
    }

    @Override
    public int poll(MemorySegment req, int revents) {
        replies.add(new Reply("poll", revents, 0, null, 0, null));
        return 0;
    }

    @Override
    public MemorySegment context(MemorySegment req) {
        return context;
    }
}
