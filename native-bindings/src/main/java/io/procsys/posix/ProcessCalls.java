package io.procsys.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.OptionalInt;

import static io.procsys.posix.NativeCalls.CAPTURE;
import static io.procsys.posix.NativeCalls.errno;
import static io.procsys.posix.NativeCalls.errnoCall;
import static io.procsys.posix.NativeCalls.unexpected;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The system calls that act on another process (an agent forwarding `procsys kill`): pidfd_open,
 * pidfd_send_signal, setpriority, ioprio_get, and getpwnam_r (through libc, so NSS
 * is honoured). Each returns its result or {@code -errno}, as {@link Libc} does.
 */
public final class ProcessCalls {

    /** Same number on every architecture (the unified table from 403 on). */
    static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_PIDFD_OPEN = 434;
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    static final long SYS_IOPRIO_GET = AARCH64 ? 31 : 252;
    public static final int PRIO_PROCESS = 0;
    public static final int IOPRIO_WHO_PROCESS = 1;
    /** The highest signal number (SIGRTMAX, _NSIG on x86_64 and aarch64). */
    public static final int SIGNAL_MAX = 64;

    private static final MethodHandle SYSCALL3 = errnoCall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL5 = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SETPRIORITY = errnoCall("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPWNAM_R = errnoCall("getpwnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETPWUID_R = errnoCall("getpwuid_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle KILL = errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** struct passwd on 64-bit Linux: pw_name@0, pw_passwd@8, pw_uid@16, pw_gid@20, pw_gecos@24, pw_dir@32, pw_shell@40. */
    private static final long PASSWD_SIZE = 48, PW_UID = 16;

    private ProcessCalls() {}

    /** pidfd_open(2) (kernel 5.3): a descriptor of the process {@code pid}, or -errno (ENOSYS before 5.3, ESRCH if none). */
    public static int pidfdOpen(int pid) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) SYSCALL3.invokeExact(capture, SYS_PIDFD_OPEN, (long) pid, 0L);
            return r < 0 ? -errno(capture) : (int) r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pidfd_send_signal(2) (kernel 5.1): 0 or -errno (ESRCH once the process has been reaped). */
    public static int pidfdSendSignal(int pidfd, int signal) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) SYSCALL5.invokeExact(capture, SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, MemorySegment.NULL, 0L);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** setpriority(PRIO_PROCESS, pid, nice): 0 or -errno. */
    public static int setPriority(int pid, int nice) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) SETPRIORITY.invokeExact(capture, PRIO_PROCESS, pid, nice);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioprio_get(IOPRIO_WHO_PROCESS, pid): the value (at least 0) or -errno. */
    public static int ioprioGet(int pid) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) SYSCALL3.invokeExact(capture, SYS_IOPRIO_GET, (long) IOPRIO_WHO_PROCESS, (long) pid);
            return r < 0 ? -errno(capture) : (int) r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** kill(2): 0 or -errno. */
    public static int kill(int pid, int signal) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) KILL.invokeExact(capture, pid, signal);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The name of user {@code uid} in this host's user database (getpwuid_r); null if there is none. */
    public static String nameOf(int uid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment passwd = arena.allocate(PASSWD_SIZE, 8);
            MemorySegment result = arena.allocate(ADDRESS);
            MemorySegment capture = CAPTURE.get();
            for (long size = 4096; size <= 1 << 20; size *= 4) {
                MemorySegment buffer = arena.allocate(size);
                int r = (int) GETPWUID_R.invokeExact(capture, uid, passwd, buffer, size, result);
                if (r == Errno.ERANGE) continue;
                if (r != 0 || result.get(ADDRESS, 0).equals(MemorySegment.NULL)) return null;
                return passwd.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
            }
            return null;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The uid of user {@code name} in this host's user database (getpwnam_r, NSS included); empty if there is none. */
    public static OptionalInt uidOf(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) return OptionalInt.empty();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            MemorySegment passwd = arena.allocate(PASSWD_SIZE, 8);
            MemorySegment result = arena.allocate(ADDRESS);
            MemorySegment capture = CAPTURE.get();
            for (long size = 4096; size <= 1 << 20; size *= 4) {
                MemorySegment buffer = arena.allocate(size);
                int r = (int) GETPWNAM_R.invokeExact(capture, cName, passwd, buffer, size, result);
                if (r == Errno.ERANGE) continue;
                if (r != 0 || result.get(ADDRESS, 0).equals(MemorySegment.NULL)) return OptionalInt.empty();
                return OptionalInt.of(passwd.get(JAVA_INT, PW_UID));
            }
            return OptionalInt.empty();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
