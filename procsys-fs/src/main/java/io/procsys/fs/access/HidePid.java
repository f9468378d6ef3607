package io.procsys.fs.access;

import io.procsys.posix.Errno;
import io.procsys.tree.FileAttributes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hidepid= and subset= options of the proc mount a tree is served from (fs/proc/root.c): who
 * may see another user's pid directories. Local pids need nothing more than reading as the reader
 * (the kernel hides them), and short caches, since the kernel must ask for every reader; the
 * pids of other hosts in a cluster view are hidden by the same rule, applied here, with the owner
 * their pid directory shows (the process's euid and egid) standing for the ptrace check.
 */
public record HidePid(Mode mode, int exemptGid, boolean subsetPid) {
    public static final HidePid OFF = new HidePid(Mode.OFF, -1, false);

    /** hidepid's values: 0 off, 1 noaccess, 2 invisible, 4 ptraceable. */
    public enum Mode { OFF, NOACCESS, INVISIBLE, PTRACEABLE }

    /** The options of the proc mount at {@code root}, from /proc/self/mountinfo (OFF where it is no proc mount, or none is found). */
    public static HidePid of(Path root) {
        try {
            Path real = root.toRealPath();
            HidePid found = OFF;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length < 5 || dash < 0 || !unescape(f[4]).equals(real.toString())) continue;
                String[] tail = line.substring(dash + 3).split(" ");
                if (tail.length >= 3 && tail[0].equals("proc")) found = parse(tail[2]); // the last mount on a point is the one seen
                else found = OFF;
            }
            return found;
        } catch (IOException | RuntimeException e) {
            return OFF;
        }
    }

    /** The super options of a proc mount ("rw,hidepid=invisible,gid=4,subset=pid"). */
    public static HidePid parse(String superOptions) {
        Mode mode = Mode.OFF;
        int gid = -1;
        boolean subset = false;
        for (String option : superOptions.split(",")) {
            if (option.startsWith("hidepid=")) mode = mode(option.substring(8));
            else if (option.startsWith("gid=")) gid = (int) Long.parseLong(option.substring(4));
            else if (option.equals("subset=pid")) subset = true;
        }
        return new HidePid(mode, gid, subset);
    }

    private static Mode mode(String value) {
        return switch (value) {
            case "1", "noaccess" -> Mode.NOACCESS;
            case "2", "invisible" -> Mode.INVISIBLE;
            case "4", "ptraceable" -> Mode.PTRACEABLE;
            default -> Mode.OFF;
        };
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** Whether readers may see different pid directories: then nothing about them may be cached across readers. */
    public boolean hides() {
        return mode != Mode.OFF;
    }

    /** Whether {@code reader} may see inside a pid directory with attributes {@code directory} (has_pid_permissions). */
    public boolean permits(Reader reader, FileAttributes directory) {
        if (mode == Mode.OFF || reader.privileged()) return true;
        if (directory.uid() == reader.uid() && directory.gid() == reader.gid()) return true;
        return mode != Mode.PTRACEABLE && exemptGid >= 0 && reader.inGroup(exemptGid);
    }

    /** Whether a listing shows {@code reader} the pid directory with attributes {@code directory}. */
    public boolean lists(Reader reader, FileAttributes directory) {
        return mode == Mode.OFF || mode == Mode.NOACCESS || permits(reader, directory);
    }

    /** The errno of a name under a pid directory {@code reader} may not see: EPERM (noaccess), ENOENT (invisible, ptraceable). */
    public int refusal() {
        return mode == Mode.NOACCESS ? Errno.EPERM : Errno.ENOENT;
    }
}
