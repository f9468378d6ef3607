package io.procsys.fs.history;

import io.procsys.fs.access.HidePid;
import io.procsys.fs.access.ProcfsRules;
import io.procsys.fs.access.Reader;
import io.procsys.fs.access.ReaderMasks;
import io.procsys.fs.access.TaskIds;
import io.procsys.history.HostCapture;
import io.procsys.history.Item;
import io.procsys.history.Task;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.FileAttributes;

import java.nio.charset.StandardCharsets;

/**
 * The live view's reader rule (issue 35, docs/security.md) applied to recorded processes: a user
 * reads the recorded files procfs would have given it then. The checks are {@link ProcfsRules}'s,
 * the ptrace test that of a remote host (the directory's owner, then the task's real, effective
 * and saved uid and gid, here from the status recorded in the same frame), the masks
 * {@link ReaderMasks}', and the local proc mount's hidepid= hides other users' processes.
 */
final class PastReads {
    private final HidePid hidePid;

    PastReads(HidePid hidePid) {
        this.hidePid = hidePid;
    }

    /** ptrace_may_access READ of a recorded task by {@code reader}, as HostReads decides it for a live remote one. */
    static boolean mayTrace(Reader reader, Task process) {
        if (reader.privileged()) return true;
        int[] owner = PastFiles.owner(process);
        if (owner[0] != reader.uid() || owner[1] != reader.gid()) return false;
        Item status = process.item("status");
        if (status == null || status.failed()) return false;
        TaskIds ids = TaskIds.parse(new String(status.text(), StandardCharsets.ISO_8859_1));
        return ids != null && ids.sameOwner(reader);
    }

    /** Fails as procfs would when {@code reader} may not read file {@code name} of {@code process} at all (EACCES, EPERM). */
    static void checkRead(Reader reader, Task process, String name) {
        ProcfsRules.Check check = ProcfsRules.processFile(name);
        if ((check == ProcfsRules.Check.PTRACE || check == ProcfsRules.Check.SCHED_NICE) && !mayTrace(reader, process)) {
            throw new ErrnoException(ReaderMasks.errno(check), name + " of another user's process");
        }
    }

    /** {@code text} of file {@code name} as {@code reader} gets it (wchan "0" to a reader that may not trace). */
    static byte[] masked(Reader reader, Task process, String name, byte[] text) {
        if (ProcfsRules.processFile(name) != ProcfsRules.Check.WCHAN || mayTrace(reader, process)) return text;
        return ReaderMasks.masked(ProcfsRules.Check.WCHAN, "").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Fails with EACCES when {@code reader} may not follow link {@code name} (exe) of {@code process}. */
    static void checkLink(Reader reader, Task process, String name) {
        if (ProcfsRules.processLink(name) && !mayTrace(reader, process)) {
            throw new ErrnoException(Errno.EACCES, name + " of another user's process");
        }
    }

    /** Whether hidepid lets {@code reader} list {@code process}'s directory. */
    boolean lists(Reader reader, Task process) {
        return hidePid.lists(reader, directory(process));
    }

    /** Fails as hidepid answers when {@code reader} may not see inside {@code process}'s directory ({@code lookup}: the directory itself is looked up). */
    void checkVisible(Reader reader, Task process, boolean lookup) {
        if (hidePid.permits(reader, directory(process))) return;
        if (lookup && hidePid.mode() == HidePid.Mode.NOACCESS) return;
        throw new ErrnoException(lookup ? Errno.ENOENT : hidePid.refusal(), "pid " + process.id() + " hidden");
    }

    private static FileAttributes directory(Task process) {
        int[] owner = PastFiles.owner(process);
        return new FileAttributes(io.procsys.posix.Stat.S_IFDIR | 0555, owner[0], owner[1], 2, 0, 0, 0, 0, 0);
    }

    /** Whether {@code name} is the recorded exe link (the only link a recorded process has). */
    static boolean isExe(String name) {
        return name.equals(HostCapture.EXE);
    }
}
