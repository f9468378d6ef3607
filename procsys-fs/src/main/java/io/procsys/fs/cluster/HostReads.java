package io.procsys.fs.cluster;

import io.procsys.fs.access.AsReader;
import io.procsys.fs.access.HidePid;
import io.procsys.fs.access.ProcfsRules;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.ReaderMasks;
import io.procsys.fs.access.TaskIds;
import io.procsys.fs.access.UserLimits;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A host's tree ({@link Place.OnHost}) read for one reader as procfs would answer that reader
 * (docs/security.md), one rule for hosts/NAME/ and the cluster pids at the top level:
 * <ul>
 * <li>this host: the request is made with the reader's credentials on the FUSE thread (its backend
 *     answers at once), and the kernel decides; this daemon's own process gets the rule of a process
 *     the reader does not own, since its threads pass every ptrace check on themselves;</li>
 * <li>another host: its agent reads as itself, so procfs's rule is applied here, on every open and
 *     every rendering again ({@link ProcfsRules}): ptrace-guarded files and links only for root and
 *     the task's owner (the file's owner, which is root for a task that is not dumpable, then its
 *     status's real, effective and saved uid and gid), stat and wchan masked otherwise, kernel
 *     addresses zero, keys the reader may view; the local proc mount's hidepid= for its pids.
 *     Requests a user other than root has in flight to other hosts are bounded ({@link UserLimits}).</li>
 * </ul>
 */
final class HostReads {
    private final Backend localHost;
    private final HidePid hidePid;
    private final UserLimits limits;
    private final String ownPid = Long.toString(ProcessHandle.current().pid());

    HostReads(Backend localHost, HidePid hidePid, UserLimits limits) {
        this.localHost = localHost;
        this.hidePid = hidePid;
        this.limits = limits;
    }

    /** Whether what readers see of pid directories differs between them (hidepid). */
    boolean perReader() {
        return hidePid.hides();
    }

    private boolean local(Place.OnHost at) {
        return at.backend() == localHost;
    }

    CompletableFuture<FileAttributes> stat(Reader reader, Place.OnHost at) {
        if (local(at)) return hidePid.hides() ? asReader(reader, () -> at.backend().stat(at.path())) : at.backend().stat(at.path());
        return visible(reader, at, true).thenCompose(ok -> remote(reader, () -> at.backend().stat(at.path())));
    }

    CompletableFuture<String> readlink(Reader reader, Place.OnHost at) {
        ProcfsRules.InProcess in = ProcfsRules.InProcess.of(at.path());
        boolean guarded = in != null && ProcfsRules.processLink(in.rest());
        if (local(at)) {
            if (guarded && ownProcess(reader, in)) return failed(Errno.EACCES);
            return asReader(reader, () -> at.backend().readlink(at.path()));
        }
        return visible(reader, at, false).thenCompose(ok -> guarded ? mayTrace(reader, at, in) : CompletableFuture.completedFuture(true))
                .thenCompose(ok -> ok ? remote(reader, () -> at.backend().readlink(at.path())) : failed(Errno.EACCES));
    }

    CompletableFuture<List<ExportedTree.Entry>> list(Reader reader, Place.OnHost at) {
        ProcfsRules.InProcess in = ProcfsRules.InProcess.of(at.path());
        boolean guarded = in != null && ProcfsRules.processDirectory(in.rest());
        if (local(at)) {
            if (guarded && ownProcess(reader, in)) return failed(Errno.EACCES);
            return asReader(reader, () -> at.backend().list(at.path()));
        }
        CompletableFuture<List<ExportedTree.Entry>> listed = visible(reader, at, false)
                .thenCompose(ok -> guarded ? mayTrace(reader, at, in) : CompletableFuture.completedFuture(true))
                .thenCompose(ok -> ok ? remote(reader, () -> at.backend().list(at.path())) : failed(Errno.EACCES));
        return at.path().isEmpty() ? listed.thenApply(entries -> visibleProcesses(reader, entries)) : listed;
    }

    /** The entries of a remote host's root (or the cluster root's share of it) that hidepid lets {@code reader} list. */
    List<ExportedTree.Entry> visibleProcesses(Reader reader, List<ExportedTree.Entry> entries) {
        if (!hidePid.hides() || reader.privileged()) return entries;
        return entries.stream().filter(e -> !io.procsys.fs.NodeKind.isPid(e.name()) || e.attributes() == null
                || hidePid.lists(reader, e.attributes())).toList();
    }

    /** File {@code at} read whole for {@code reader} (an open, or a rendering again). */
    CompletableFuture<Backend.Content> read(Reader reader, Place.OnHost at, Supplier<CompletableFuture<Backend.Content>> read) {
        ProcfsRules.InProcess in = ProcfsRules.InProcess.of(at.path());
        ProcfsRules.Check check = in == null ? ProcfsRules.globalFile(at.path()) : ProcfsRules.processFile(in.rest());
        if (local(at)) {
            if (in == null || check == ProcfsRules.Check.NONE || !ownProcess(reader, in)) return asReader(reader, read);
            return masked(reader, check, asReader(reader, read));
        }
        if (reader.privileged() || check == ProcfsRules.Check.NONE) return visible(reader, at, false).thenCompose(ok -> remote(reader, read));
        return visible(reader, at, false).thenCompose(ok -> switch (check) {
            case PTRACE -> mayTrace(reader, at, in).thenCompose(may -> may ? remote(reader, read) : failed(Errno.EACCES));
            case STAT_FIELDS, WCHAN -> mayTrace(reader, at, in).thenCompose(may -> may ? remote(reader, read) : masked(reader, check, remote(reader, read)));
            case KEYS -> remote(reader, read).thenApply(c -> Contents.transformed(c, text -> ReaderMasks.keys(text, reader)));
            default -> masked(reader, check, remote(reader, read));
        });
    }

    /** {@code read}'s text as a reader failing {@code check} gets it (its errno where it gets none). */
    private static CompletableFuture<Backend.Content> masked(Reader reader, ProcfsRules.Check check, CompletableFuture<Backend.Content> read) {
        if (reader.privileged()) return read;
        if (ReaderMasks.masked(check, "") == null) return read.thenCompose(c -> {
            c.release();
            return failed(ReaderMasks.errno(check));
        });
        return read.thenApply(c -> Contents.transformed(c, text -> ReaderMasks.masked(check, text)));
    }

    /**
     * ptrace_may_access READ of a remote task for a reader without CAP_SYS_PTRACE: the file's owner
     * (the task's euid and egid, or root when it is not dumpable) is the reader, and so are the
     * task's real, effective and saved uid and gid (its status, read again now: a setuid exec
     * since the open makes it another's).
     */
    private CompletableFuture<Boolean> mayTrace(Reader reader, Place.OnHost at, ProcfsRules.InProcess in) {
        if (reader.privileged()) return CompletableFuture.completedFuture(true);
        return remote(reader, () -> at.backend().stat(at.path())).thenCompose(file -> {
            if (file.uid() != reader.uid() || file.gid() != reader.gid()) return CompletableFuture.completedFuture(false);
            return remote(reader, () -> at.backend().readAgain(in.statusPath())).thenApply(status -> {
                try {
                    TaskIds ids = TaskIds.parse(Contents.text(status.bytes()));
                    return ids != null && ids.sameOwner(reader);
                } finally {
                    status.release();
                }
            });
        });
    }

    /**
     * Completes (true) when hidepid lets {@code reader} see {@code at}; fails with hidepid's errno
     * (ENOENT, or EPERM under noaccess) otherwise. {@code lookup}: the pid directory itself is
     * looked up, which noaccess allows.
     */
    private CompletableFuture<Boolean> visible(Reader reader, Place.OnHost at, boolean lookup) {
        if (!hidePid.hides() || reader.privileged() || !at.inProcess()) return CompletableFuture.completedFuture(true);
        String pid = at.path().contains("/") ? at.path().substring(0, at.path().indexOf('/')) : at.path();
        boolean directoryItself = pid.equals(at.path());
        if (directoryItself && lookup && hidePid.mode() == HidePid.Mode.NOACCESS) return CompletableFuture.completedFuture(true);
        return remote(reader, () -> at.backend().stat(pid)).thenCompose(directory -> hidePid.permits(reader, directory)
                ? CompletableFuture.completedFuture(true) : failed(directoryItself ? Errno.ENOENT : hidePid.refusal()));
    }

    /** Whether {@code in} lies in this daemon's own process, for a reader other than root. */
    private boolean ownProcess(Reader reader, ProcfsRules.InProcess in) {
        if (reader.privileged()) return false;
        String pid = Integer.toString(in.pid());
        if (pid.equals(ownPid)) return true;
        CompletableFuture<FileAttributes> task = localHost.stat(ownPid + "/task/" + pid);
        return task.isDone() && !task.isCompletedExceptionally();
    }

    /** A request of this host's backend made with {@code reader}'s credentials (it answers at once, on this thread). */
    private static <T> CompletableFuture<T> asReader(Reader reader, Supplier<CompletableFuture<T>> request) {
        return AsReader.get(reader, request, () -> failed(Errno.EACCES));
    }

    /** A request to another host for {@code reader}: EAGAIN if its user has as many in flight as it may. */
    <T> CompletableFuture<T> remote(Reader reader, Supplier<CompletableFuture<T>> request) {
        UserLimits.Usage usage = limits.of(reader);
        int refused = usage.startRemote();
        if (refused != 0) return failed(refused);
        CompletableFuture<T> sent;
        try {
            sent = request.get();
        } catch (RuntimeException e) {
            usage.endRemote();
            throw e;
        }
        return sent.whenComplete((value, error) -> usage.endRemote());
    }

    private static <T> CompletableFuture<T> failed(int errno) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, "refused for this reader"));
    }
}
