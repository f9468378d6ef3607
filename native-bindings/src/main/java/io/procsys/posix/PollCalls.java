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
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The calls a mount makes to pass poll(2) through to a file's source: poll itself, a private
 * duplicate of a descriptor to wait on, and an eventfd to wake the waiting thread. Apart from
 * {@link Libc}, so that only a mount that is polled links them. Each returns its result or -errno.
 */
public final class PollCalls {
    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLWRNORM = 0x100;
    /** struct pollfd: int fd, short events, short revents. */
    public static final long POLLFD_SIZE = 8;
    private static final int F_DUPFD_CLOEXEC = 1030, EFD_CLOEXEC = 0x80000;

    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FCNTL = errnoCall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EPOLL_CREATE1 = errnoCall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = errnoCall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = errnoCall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLLONESHOT = 1 << 30;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    /** struct epoll_event: u32 events, u64 data; packed on x86_64 (12 bytes), aligned elsewhere (16). */
    public static final long EPOLL_EVENT_SIZE = X86_64 ? 12 : 16;
    private static final long EPOLL_DATA = X86_64 ? 4 : 8;
    private static final ThreadLocal<MemorySegment> ONE_EVENT = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private PollCalls() {}

    /** poll(2) over {@code count} struct pollfd at {@code fds}: how many have events, or -errno (EINTR retried). */
    public static int poll(MemorySegment fds, int count, int timeoutMillis) {
        MemorySegment capture = CAPTURE.get();
        try {
            while (true) {
                int n = (int) POLL.invokeExact(capture, fds, (long) count, timeoutMillis);
                if (n >= 0) return n;
                int err = errno(capture);
                if (err != Errno.EINTR) return -err;
            }
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The events ready on {@code fd} now, of {@code events} (POLLERR, POLLHUP, POLLNVAL always), or -errno. */
    public static int readyNow(int fd, int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(POLLFD_SIZE);
            set(one, 0, fd, events);
            int n = poll(one, 1, 0);
            return n < 0 ? n : revents(one, 0);
        }
    }

    /** Writes entry {@code i} of a struct pollfd array. */
    public static void set(MemorySegment fds, int i, int fd, int events) {
        fds.set(JAVA_INT, i * POLLFD_SIZE, fd);
        fds.set(JAVA_SHORT, i * POLLFD_SIZE + 4, (short) events);
        fds.set(JAVA_SHORT, i * POLLFD_SIZE + 6, (short) 0);
    }

    /** The revents of entry {@code i}. */
    public static int revents(MemorySegment fds, int i) {
        return fds.get(JAVA_SHORT, i * POLLFD_SIZE + 6) & 0xffff;
    }

    /** A close-on-exec duplicate of {@code fd} (the same open file: its poll state is shared), or -errno. */
    public static int duplicate(int fd) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) FCNTL.invokeExact(capture, fd, F_DUPFD_CLOEXEC, 0);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A close-on-exec eventfd(2) counting from 0, or -errno. */
    public static int eventfd() {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) EVENTFD.invokeExact(capture, 0, EFD_CLOEXEC);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Adds 1 to eventfd {@code fd}: whoever polls it wakes. 0 or -errno. */
    public static int signal(int fd) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long r = (long) WRITE.invokeExact(capture, fd, one, 8L);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_create1(EPOLL_CLOEXEC): an epoll descriptor, or -errno. */
    public static int epollCreate() {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) EPOLL_CREATE1.invokeExact(capture, EPOLL_CLOEXEC);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_ctl(2) of {@code fd} in {@code epoll}: {@code op} (ADD, DEL) with {@code events} and {@code data} given back by wait. 0 or -errno. */
    public static int epollControl(int epoll, int op, int fd, int events, long data) {
        MemorySegment event = ONE_EVENT.get();
        event.set(JAVA_INT, 0, events);
        event.set(JAVA_LONG_UNALIGNED, EPOLL_DATA, data);
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) EPOLL_CTL.invokeExact(capture, epoll, op, fd, event);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_wait(2) into {@code events} (room for {@code max}): how many are ready, or -errno (EINTR is returned). */
    public static int epollWait(int epoll, MemorySegment events, int max, int timeoutMillis) {
        MemorySegment capture = CAPTURE.get();
        try {
            int r = (int) EPOLL_WAIT.invokeExact(capture, epoll, events, max, timeoutMillis);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The events of entry {@code i} epoll_wait filled. */
    public static int epollEvents(MemorySegment events, int i) {
        return events.get(JAVA_INT, i * EPOLL_EVENT_SIZE);
    }

    /** The data of entry {@code i} epoll_wait filled. */
    public static long epollData(MemorySegment events, int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + EPOLL_DATA);
    }
}
