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
 * seccomp user notification (x86_64 and aarch64, uapi of kernel 6.18: linux/seccomp.h,
 * linux/filter.h) and the few calls its supervisor makes: seccomp, ppoll, ioctl, tgkill, and the
 * open, read and close of a caller's /proc/PID/status, with the system call numbers of the
 * architecture this runs on ({@link #AUDIT_ARCH} says which). Each returns its result or
 * {@code -errno}, as {@link Libc} does.
 *
 * <p>All of them go through one downcall, {@code syscall(nr, a, b, c)} with every argument a
 * long (a pointer as its address): FFM generates each downcall's stub at run time (~25 ms of a
 * cold JVM each, and no AOT cache keeps them), and the JVM of an intercepting `procsys exec` needs
 * nothing else native, so one stub is all it makes (BENCHMARKS.md "One downcall, a supervisor
 * woken at stop").
 */
public final class Seccomp {
    public static final int SET_MODE_FILTER = 1;
    public static final int GET_NOTIF_SIZES = 3;
    public static final int FILTER_FLAG_NEW_LISTENER = 1 << 3;
    public static final int RET_ALLOW = 0x7fff0000;
    public static final int RET_USER_NOTIF = 0x7fc00000;
    public static final int USER_NOTIF_FLAG_CONTINUE = 1;
    public static final long IOCTL_NOTIF_RECV = 0xC0502100L;
    public static final long IOCTL_NOTIF_SEND = 0xC0182101L;
    public static final long IOCTL_NOTIF_ID_VALID = 0x40082102L;
    /** EM_X86_64 (62) or EM_AARCH64 (183) | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h). */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_AARCH64 = 0xC00000B7;
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /** The seccomp_data.arch of this machine's native calls. */
    public static final int AUDIT_ARCH = AARCH64 ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
    /** x86_64's x32 calls come with AUDIT_ARCH_X86_64 and this bit in their number. */
    public static final int X32_SYSCALL_BIT = 0x40000000;
    /** struct seccomp_data: nr, arch, instruction_pointer, args[6]. */
    public static final int DATA_NR = 0, DATA_ARCH = 4, DATA_ARGS = 16;
    /** struct seccomp_notif: id, pid, flags, data (the kernel's size comes from {@link #notifSizes}). */
    public static final int NOTIF_ID = 0, NOTIF_PID = 8, NOTIF_DATA = 16;
    /** struct seccomp_notif_resp: id, val, error, flags. */
    public static final int RESP_ID = 0, RESP_VAL = 8, RESP_ERROR = 16, RESP_FLAGS = 20;
    public static final short POLLIN = 1, POLLERR = 8, POLLHUP = 0x10;
    /** The size of a struct pollfd: int fd; short events; short revents. */
    public static final long POLLFD_BYTES = 8;

    /** System call numbers: x86_64's (asm/unistd_64.h), aarch64's (asm-generic/unistd.h; it has ppoll, no poll). */
    private static final long SYS_READ = AARCH64 ? 63 : 0, SYS_WRITE = AARCH64 ? 64 : 1, SYS_CLOSE = AARCH64 ? 57 : 3,
            SYS_PPOLL = AARCH64 ? 73 : 271, SYS_IOCTL = AARCH64 ? 29 : 16, SYS_OPENAT = AARCH64 ? 56 : 257,
            SYS_TGKILL = AARCH64 ? 131 : 234, SYS_EVENTFD2 = AARCH64 ? 19 : 290, SYS_SECCOMP = AARCH64 ? 277 : 317;
    private static final long AT_FDCWD = -100, O_RDONLY_CLOEXEC = 0x80000, EFD_CLOEXEC = 0x80000;

    /** syscall(nr, a, b, c, d): the only downcall of this class. */
    private static final MethodHandle SYSCALL = errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final ThreadLocal<MemorySegment> TIMESPEC = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private Seccomp() {}

    private static long syscall(long nr, long a, long b, long c) {
        return syscall(nr, a, b, c, 0);
    }

    private static long syscall(long nr, long a, long b, long c, long d) {
        MemorySegment capture = CAPTURE.get();
        try {
            long r = (long) SYSCALL.invokeExact(capture, nr, a, b, c, d);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Installs the classic BPF program {@code filter} (8-byte {@code struct sock_filter}s) on the
     * calling thread only, with a new listener: the listener fd (close-on-exec) or -errno. Needs
     * CAP_SYS_ADMIN or no_new_privs. Children the thread starts afterwards inherit the filter.
     */
    public static int installWithListener(MemorySegment filter) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(16, 8); // struct sock_fprog: unsigned short len; struct sock_filter *filter
            prog.set(JAVA_SHORT, 0, (short) (filter.byteSize() / 8));
            prog.set(ADDRESS, 8, filter);
            return (int) syscall(SYS_SECCOMP, SET_MODE_FILTER, FILTER_FLAG_NEW_LISTENER, prog.address());
        }
    }

    /** Sizes of struct seccomp_notif, seccomp_notif_resp and seccomp_data as this kernel has them, or null. */
    public static int[] notifSizes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(6, 2);
            if (syscall(SYS_SECCOMP, GET_NOTIF_SIZES, 0, sizes.address()) < 0) return null;
            return new int[]{sizes.get(JAVA_SHORT, 0), sizes.get(JAVA_SHORT, 2), sizes.get(JAVA_SHORT, 4)};
        }
    }

    /** ioctl(2) with a pointer argument: its result or -errno (EINTR is returned, not retried). */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        return (int) syscall(SYS_IOCTL, fd, request, arg.address());
    }

    /** Sets entry {@code index} of an array of struct pollfd ({@link #POLLFD_BYTES} each) to {@code fd} and {@code events}. */
    public static void setPollfd(MemorySegment pollfds, int index, int fd, short events) {
        pollfds.set(JAVA_INT, index * POLLFD_BYTES, fd);
        pollfds.set(JAVA_SHORT, index * POLLFD_BYTES + 4, events);
        pollfds.set(JAVA_SHORT, index * POLLFD_BYTES + 6, (short) 0);
    }

    /** The revents poll(2) left in entry {@code index}. */
    public static int revents(MemorySegment pollfds, int index) {
        return Short.toUnsignedInt(pollfds.get(JAVA_SHORT, index * POLLFD_BYTES + 6));
    }

    /** poll(2) of the first {@code count} entries of {@code pollfds} (ppoll, no signal mask): how many have events, 0 on timeout, or -errno. */
    public static int poll(MemorySegment pollfds, int count, int timeoutMillis) {
        for (int i = 0; i < count; i++) pollfds.set(JAVA_SHORT, i * POLLFD_BYTES + 6, (short) 0);
        MemorySegment timeout = TIMESPEC.get();
        timeout.set(JAVA_LONG, 0, timeoutMillis / 1000);
        timeout.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
        return (int) syscall(SYS_PPOLL, pollfds.address(), count, timeoutMillis < 0 ? 0 : timeout.address(), 0);
    }

    /** eventfd2(0, EFD_CLOEXEC): an fd that polls readable once {@link #write} has added to it, or -errno. */
    public static int eventfd() {
        return (int) syscall(SYS_EVENTFD2, 0, EFD_CLOEXEC, 0);
    }

    /** write(2) of {@code bytes}: the count written or -errno. */
    public static long write(int fd, MemorySegment bytes) {
        return syscall(SYS_WRITE, fd, bytes.address(), bytes.byteSize());
    }

    /** tgkill(2): 0 or -errno; with signal 0 it only checks that {@code tid} is a thread of {@code tgid}. */
    public static int tgkill(int tgid, int tid, int signal) {
        return (int) syscall(SYS_TGKILL, tgid, tid, signal);
    }

    /** openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC) of the NUL-terminated {@code path}: an fd or -errno. */
    public static int openReadOnly(MemorySegment path) {
        return (int) syscall(SYS_OPENAT, AT_FDCWD, path.address(), O_RDONLY_CLOEXEC);
    }

    /** read(2) of at most {@code count} bytes into {@code buffer}: the count read or -errno. */
    public static long read(int fd, MemorySegment buffer, long count) {
        return syscall(SYS_READ, fd, buffer.address(), Math.min(count, buffer.byteSize()));
    }

    /** close(2): 0 or -errno. */
    public static int close(int fd) {
        return (int) syscall(SYS_CLOSE, fd, 0, 0);
    }
}
