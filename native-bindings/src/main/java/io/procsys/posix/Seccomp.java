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
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * seccomp user notification (x86_64, uapi of kernel 6.18: linux/seccomp.h, linux/filter.h) and the
 * few calls its supervisor makes: seccomp(2) and tgkill(2) through syscall(2), ioctl(2), poll(2). Each returns its result or {@code -errno}, as {@link Libc} does.
 */
public final class Seccomp {
    public static final long SYS_SECCOMP = 317;
    public static final int SET_MODE_FILTER = 1;
    public static final int GET_NOTIF_SIZES = 3;
    public static final int FILTER_FLAG_NEW_LISTENER = 1 << 3;
    public static final int RET_ALLOW = 0x7fff0000;
    public static final int RET_USER_NOTIF = 0x7fc00000;
    public static final int USER_NOTIF_FLAG_CONTINUE = 1;
    public static final long IOCTL_NOTIF_RECV = 0xC0502100L;
    public static final long IOCTL_NOTIF_SEND = 0xC0182101L;
    public static final long IOCTL_NOTIF_ID_VALID = 0x40082102L;
    /** EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h). */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** struct seccomp_data: nr, arch, instruction_pointer, args[6]. */
    public static final int DATA_NR = 0, DATA_ARCH = 4, DATA_ARGS = 16;
    /** struct seccomp_notif: id, pid, flags, data (the kernel's size comes from {@link #notifSizes}). */
    public static final int NOTIF_ID = 0, NOTIF_PID = 8, NOTIF_DATA = 16;
    /** struct seccomp_notif_resp: id, val, error, flags. */
    public static final int RESP_ID = 0, RESP_VAL = 8, RESP_ERROR = 16, RESP_FLAGS = 20;
    public static final short POLLIN = 1, POLLERR = 8, POLLHUP = 0x10;

    /** syscall(SYS_seccomp, operation, flags, args). */
    private static final MethodHandle SYSCALL3 = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final long SYS_TGKILL = 234;

    /**
     * The calls a supervisor makes only once a call is trapped, linked then: each downcall's stub
     * is generated at run time, and `procsys exec` of a command that makes no such call (most)
     * starts sooner without them.
     */
    private static final class OnNotification {
        static final MethodHandle IOCTL = errnoCall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
        static final MethodHandle SYSCALL_3INT = errnoCall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(1));
    }

    private Seccomp() {}

    private static long result(long r, MemorySegment capture) {
        return r < 0 ? -errno(capture) : r;
    }

    /**
     * Installs the classic BPF program {@code filter} (8-byte {@code struct sock_filter}s) on the
     * calling thread only, with a new listener: the listener fd (close-on-exec) or -errno. Needs
     * CAP_SYS_ADMIN or no_new_privs. Children the thread starts afterwards inherit the filter.
     */
    public static int installWithListener(MemorySegment filter) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(16, 8); // struct sock_fprog: unsigned short len; struct sock_filter *filter
            prog.set(JAVA_SHORT, 0, (short) (filter.byteSize() / 8));
            prog.set(ADDRESS, 8, filter);
            long r = (long) SYSCALL3.invokeExact(capture, SYS_SECCOMP, (long) SET_MODE_FILTER, (long) FILTER_FLAG_NEW_LISTENER, prog);
            return (int) result(r, capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Sizes of struct seccomp_notif, seccomp_notif_resp and seccomp_data as this kernel has them, or null. */
    public static int[] notifSizes() {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(6, 2);
            long r = (long) SYSCALL3.invokeExact(capture, SYS_SECCOMP, (long) GET_NOTIF_SIZES, 0L, sizes);
            if (result(r, capture) < 0) return null;
            return new int[]{sizes.get(JAVA_SHORT, 0), sizes.get(JAVA_SHORT, 2), sizes.get(JAVA_SHORT, 4)};
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl(2) with a pointer argument: its result or -errno (EINTR is returned, not retried). */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) result((int) OnNotification.IOCTL.invokeExact(capture, fd, request, arg), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** poll(2) of one fd for {@code events}: its revents, 0 on timeout, or -errno. */
    public static int poll(int fd, short events, int timeoutMillis) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4); // int fd; short events; short revents
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, events);
            int r = (int) POLL.invokeExact(capture, pollfd, 1L, timeoutMillis);
            if (r <= 0) return (int) result(r, capture);
            return Short.toUnsignedInt(pollfd.get(JAVA_SHORT, 6));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** tgkill(2): 0 or -errno; with signal 0 it only checks that {@code tid} is a thread of {@code tgid}. */
    public static int tgkill(int tgid, int tid, int signal) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) result((long) OnNotification.SYSCALL_3INT.invokeExact(capture, SYS_TGKILL, tgid, tid, signal), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
