package io.procsys.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.procsys.posix.NativeCalls.CAPTURE;
import static io.procsys.posix.NativeCalls.errno;
import static io.procsys.posix.NativeCalls.errnoCall;
import static io.procsys.posix.NativeCalls.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The credentials of the calling thread only, through the raw system calls: glibc's setgroups,
 * setresuid and setresgid wrappers change every thread of the process (a signal round to each),
 * the kernel's calls change the caller's {@code task->cred} alone. A root daemon becomes a
 * reader for a moment: supplementary groups, then the effective (and so the filesystem) gid,
 * then the effective uid; the real and saved ids stay 0, so the effective capabilities go as
 * the euid leaves 0 and come back as it returns (the kernel's cap_emulate_setxuid). Every check
 * procfs makes on the reader (ptrace_may_access, mode bits, CAP_SYSLOG for kallsyms, the euid
 * /proc/sys looks at) then sees the reader.
 */
public final class ThreadCredentials {
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /** asm/unistd_64.h on x86_64; the generic table (asm-generic/unistd.h) on aarch64. */
    static final long SYS_GETGROUPS = AARCH64 ? 158 : 115, SYS_SETGROUPS = AARCH64 ? 159 : 116,
            SYS_SETRESUID = AARCH64 ? 147 : 117, SYS_SETRESGID = AARCH64 ? 149 : 119,
            SYS_GETEUID = AARCH64 ? 175 : 107, SYS_GETEGID = AARCH64 ? 177 : 108;
    /** The kernel's NGROUPS_MAX. */
    public static final int GROUPS_MAX = 65536;
    private static final MethodHandle SYSCALL = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    /** A thread's gid_t array for setgroups, grown as needed. */
    private static final ThreadLocal<MemorySegment[]> GROUPS = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private static final int OWN_EUID = (int) call(SYS_GETEUID, 0, 0, 0);
    private static final int OWN_EGID = (int) call(SYS_GETEGID, 0, 0, 0);
    private static final int[] OWN_GROUPS = ownGroups();

    private ThreadCredentials() {}

    private static long call(long nr, long a, long b, long c) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) SYSCALL.invokeExact(capture, nr, a, b, c);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static int[] ownGroups() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(JAVA_INT, GROUPS_MAX);
            long n = call(SYS_GETGROUPS, GROUPS_MAX, list.address(), 0);
            return n <= 0 ? new int[0] : list.asSlice(0, n * 4).toArray(JAVA_INT);
        }
    }

    /** This process's effective uid. */
    public static int ownUid() {
        return OWN_EUID;
    }

    /** Whether this process may take another user's credentials: its effective uid is root. */
    public static boolean canSwitch() {
        return OWN_EUID == 0;
    }

    /**
     * Makes the calling thread act as {@code uid}, {@code gid} with supplementary {@code groups}:
     * 0, or -errno with the thread's own credentials back.
     */
    public static int become(int uid, int gid, int[] groups) {
        int n = Math.min(groups.length, GROUPS_MAX);
        MemorySegment list = groupBuffer(n);
        for (int i = 0; i < n; i++) list.setAtIndex(JAVA_INT, i, groups[i]);
        long r = call(SYS_SETGROUPS, n, list.address(), 0);
        if (r == 0) r = call(SYS_SETRESGID, -1, gid & 0xffffffffL, -1);
        if (r == 0) r = call(SYS_SETRESUID, -1, uid & 0xffffffffL, -1);
        if (r < 0) restore();
        return (int) r;
    }

    /** Gives the calling thread the process's own credentials again: 0 or -errno (then it keeps the reader's, which only ever has less). */
    public static int restore() {
        long r = call(SYS_SETRESUID, -1, OWN_EUID & 0xffffffffL, -1);
        if (r == 0) r = call(SYS_SETRESGID, -1, OWN_EGID & 0xffffffffL, -1);
        if (r == 0) {
            MemorySegment list = groupBuffer(OWN_GROUPS.length);
            for (int i = 0; i < OWN_GROUPS.length; i++) list.setAtIndex(JAVA_INT, i, OWN_GROUPS[i]);
            r = call(SYS_SETGROUPS, OWN_GROUPS.length, list.address(), 0);
        }
        return (int) r;
    }

    private static MemorySegment groupBuffer(int count) {
        MemorySegment[] held = GROUPS.get();
        long bytes = Math.max(count, 1) * 4L;
        if (held[0] == null || held[0].byteSize() < bytes) held[0] = Arena.ofAuto().allocate(Math.max(bytes, 256), 4);
        return held[0];
    }
}
