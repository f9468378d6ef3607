package io.procsys.fs.cluster;

import io.procsys.fs.identity.PidMap;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;

/**
 * A host's process file read again by path for a handle kept open (a read at 0) must be the
 * process's that was opened, as procfs's kept descriptor is: a pid reused since shows another
 * process. So the process's start time (field 22 of stat) is taken at open (the pid map's, from
 * the host's table, or the host's stat read then), and each rendering again reads the process's
 * stat after the file: while it shows the same start time, the process was alive, so the file read
 * before was its own; another start time, or none, is ESRCH, as /proc answers for a process that
 * exited while its file was open.
 */
final class SameProcess {
    private SameProcess() {}

    /** The start time of {@code pid} on {@code host} now (its stat read again); fails as the read does. */
    static CompletableFuture<Long> startTime(Backend host, int pid) {
        return host.readAgain(pid + "/stat").thenApply(content -> {
            try {
                MemorySegment stat = content.bytes();
                long start = StartTimes.startTime(at -> stat.get(ValueLayout.JAVA_BYTE, at), (int) stat.byteSize());
                if (start < 0) throw new ErrnoException(Errno.ESRCH, "unreadable stat of " + pid);
                return start;
            } finally {
                content.release();
            }
        });
    }

    /** The start time to hold an open handle of {@code pid} to: {@code known} (a table's), or the host's stat read now. */
    static CompletableFuture<Long> atOpen(Backend host, int pid, long known) {
        return known != PidMap.UNKNOWN && known >= 0 ? CompletableFuture.completedFuture(known) : startTime(host, pid);
    }

    /** {@code read} (pid {@code pid}'s file), kept only if the process still has the start time {@code expected} after it: else ESRCH. */
    static CompletableFuture<Backend.Content> verified(CompletableFuture<Backend.Content> read, Backend host, int pid,
                                                       CompletableFuture<Long> expected) {
        return read.thenCompose(content -> expected.thenCombine(startTime(host, pid), (then, now) -> then.longValue() == now.longValue())
                .handle((same, error) -> {
                    if (error == null && same) return content;
                    content.release();
                    Throwable e = error == null ? null : ErrnoException.unwrapped(error);
                    boolean exited = e == null || e instanceof ErrnoException r && (r.errno() == Errno.ENOENT || r.errno() == Errno.ESRCH);
                    throw exited ? new ErrnoException(Errno.ESRCH, "process " + pid + " exited (its pid is another's now)")
                            : e instanceof RuntimeException re ? re : new ErrnoException(Errno.EIO, String.valueOf(e));
                }));
    }
}
