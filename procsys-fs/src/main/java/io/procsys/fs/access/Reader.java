package io.procsys.fs.access;

import io.procsys.fuse.Request;
import io.procsys.fuse.RequestContext;
import io.procsys.posix.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Who reads: the ids a FUSE request carries, which are the caller's filesystem uid and gid (the
 * kernel's fsuid/fsgid) and its thread id. Requests carry no supplementary groups: they are read
 * from the thread's /proc/TID/status when a check needs them, and trusted only if that status
 * still shows the request's fsuid and fsgid (else the thread is gone or changed: its primary group
 * alone, which can only grant less).
 */
public final class Reader {
    /** Whoever the daemon is: a request made by this process itself, and tests. */
    public static final Reader ROOT = new Reader(0, 0, 0);
    /** Enough for the Groups line of a user in ~1 500 groups; a longer one is cut, and a cut line is not trusted. */
    private static final int STATUS_BYTES = 16 * 1024;

    private final int uid, gid, tid;
    private int[] groups;

    private Reader(int uid, int gid, int tid) {
        this.uid = uid;
        this.gid = gid;
        this.tid = tid;
    }

    public static Reader of(Request req) {
        RequestContext c = req.context();
        return new Reader(c.uid(), c.gid(), c.pid());
    }

    /** A reader with these ids (tests, and callers that know them). */
    public static Reader of(int uid, int gid, int tid) {
        return uid == 0 && gid == 0 && tid == 0 ? ROOT : new Reader(uid, gid, tid);
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** The calling thread's id (0: none). */
    public int tid() {
        return tid;
    }

    /** Root reads as the daemon does: every rule lets uid 0 through. */
    public boolean privileged() {
        return uid == 0;
    }

    /** Whether {@code other} holds the same ids: one rendering may serve both. */
    public boolean sameIds(Reader other) {
        return other.uid == uid && other.gid == gid;
    }

    /** The supplementary groups of the calling thread (its gid alone when they cannot be read). */
    public synchronized int[] groups() {
        if (groups == null) groups = readGroups();
        return groups;
    }

    /** Whether the reader is in group {@code group}: its fsgid or a supplementary group. */
    public boolean inGroup(int group) {
        if (group == gid) return true;
        for (int g : groups()) {
            if (g == group) return true;
        }
        return false;
    }

    private int[] readGroups() {
        if (tid <= 0) return new int[]{gid};
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.openat(Libc.AT_FDCWD, arena.allocateFrom("/proc/" + tid + "/status"), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0) return new int[]{gid};
            MemorySegment buffer = arena.allocate(STATUS_BYTES);
            long n;
            try {
                n = Libc.read(fd, buffer, STATUS_BYTES);
            } finally {
                Libc.close(fd);
            }
            if (n <= 0) return new int[]{gid};
            TaskIds ids = TaskIds.parse(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            return ids != null && ids.fsUid() == uid && ids.fsGid() == gid ? ids.groups() : new int[]{gid};
        }
    }

    @Override
    public String toString() {
        return "uid " + Integer.toUnsignedString(uid) + " gid " + Integer.toUnsignedString(gid);
    }
}
