package io.procsys.fs.access;

import io.procsys.fs.NodeKind;

import java.util.Set;

/**
 * Which procfs files answer according to who reads them, and how (the table in docs/security.md,
 * checked against the kernel's fs/proc). Local files need none of this: they are opened and read
 * with the reader's credentials and the kernel decides ({@link AsReader}). It is for what the
 * kernel cannot decide for the reader: another host's files (read by its agent), and this daemon's
 * own process (whose threads pass every ptrace check on themselves, whoever they act for).
 */
public final class ProcfsRules {
    /** What a reader that fails the check gets, by kind of file. */
    public enum Check {
        /** Nothing depends on the reader (or the mode bits decide, which the kernel checks on the mount's attributes). */
        NONE,
        /** ptrace_may_access READ or ATTACH (maps, smaps, environ, io, syscall, fdinfo/N...): EACCES. */
        PTRACE,
        /** stat: the address and exit fields of do_task_stat's "permitted" test are 0 (startcode and endcode 1 for a task with memory). */
        STAT_FIELDS,
        /** wchan: "0". */
        WCHAN,
        /** timerslack_ns: another task's needs CAP_SYS_NICE: EPERM. */
        SCHED_NICE,
        /** kallsyms, modules: every address 0 without CAP_SYSLOG (kptr_restrict, perf_event_paranoid). */
        KERNEL_ADDRESSES,
        /** keys: only the keys the reader may view (possession, which needs the reader's keyrings, is not counted). */
        KEYS
    }

    /**
     * Files of a process (or thread) directory guarded by ptrace_may_access (fs/proc/base.c,
     * task_mmu.c); timers too (0444, yet refused to another user on 6.18: checked by experiment).
     */
    static final Set<String> PTRACE_FILES = Set.of("maps", "smaps", "smaps_rollup", "numa_maps", "environ", "auxv", "mem",
            "pagemap", "stack", "syscall", "io", "personality", "timers");
    /** Links of a process directory whose text and target need ptrace_may_access READ. */
    static final Set<String> PTRACE_LINKS = Set.of("exe", "cwd", "root");
    /** Directories of a process directory whose listing needs ptrace_may_access READ (fd/ is 0500: its mode decides). */
    static final Set<String> PTRACE_DIRECTORIES = Set.of("fdinfo", "map_files");

    private ProcfsRules() {}

    /** A path of a proc tree inside a process directory: the pid (the thread's, under task/), and the path in that directory. */
    public record InProcess(int pid, int tid, String rest) {
        /** "PID/rest" or "PID/task/TID/rest"; null for a path outside any process directory (or the directory itself). */
        public static InProcess of(String path) {
            int slash = path.indexOf('/');
            if (slash < 0 || !NodeKind.isPid(path.substring(0, slash)) || slash > 10) return null;
            long pid = Long.parseLong(path.substring(0, slash));
            String rest = path.substring(slash + 1);
            if (pid > Integer.MAX_VALUE) return null;
            if (rest.startsWith("task/")) {
                int end = rest.indexOf('/', 5);
                String tid = end < 0 ? rest.substring(5) : rest.substring(5, end);
                if (end > 0 && NodeKind.isPid(tid) && tid.length() <= 9) {
                    return new InProcess((int) pid, Integer.parseInt(tid), rest.substring(end + 1));
                }
            }
            return new InProcess((int) pid, (int) pid, rest);
        }

        /** The path of the status file that shows this task's ids (under the host's own pid numbering). */
        public String statusPath() {
            return tid == pid ? pid + "/status" : pid + "/task/" + tid + "/status";
        }
    }

    /** The check of file {@code rest} of a process directory ("maps", "fdinfo/3", "task/12/stat" relative to task/12/). */
    public static Check processFile(String rest) {
        if (rest.startsWith("fdinfo/")) return Check.PTRACE;
        if (rest.indexOf('/') >= 0) return Check.NONE;
        if (PTRACE_FILES.contains(rest)) return Check.PTRACE;
        return switch (rest) {
            case "stat" -> Check.STAT_FIELDS;
            case "wchan" -> Check.WCHAN;
            case "timerslack_ns" -> Check.SCHED_NICE;
            default -> Check.NONE;
        };
    }

    /** Whether link {@code rest} of a process directory (exe, fd/3, ns/net, map_files/...) needs ptrace READ. */
    public static boolean processLink(String rest) {
        return PTRACE_LINKS.contains(rest) || rest.startsWith("fd/") || rest.startsWith("ns/") || rest.startsWith("map_files/");
    }

    /** Whether listing directory {@code rest} of a process directory needs ptrace READ. */
    public static boolean processDirectory(String rest) {
        return PTRACE_DIRECTORIES.contains(rest);
    }

    /** The check of a file outside process directories. */
    public static Check globalFile(String path) {
        return switch (path) {
            case "kallsyms", "modules" -> Check.KERNEL_ADDRESSES;
            case "keys" -> Check.KEYS;
            default -> Check.NONE;
        };
    }

    /** The check of any file of a proc tree by its path. */
    public static Check file(String path) {
        InProcess at = InProcess.of(path);
        return at == null ? globalFile(path) : processFile(at.rest());
    }
}
