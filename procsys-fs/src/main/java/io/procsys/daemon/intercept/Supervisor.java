package io.procsys.daemon.intercept;

import io.procsys.posix.Errno;
import io.procsys.posix.Seccomp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The loop over a seccomp listener: poll, receive (buffer zeroed, sizes from the kernel), answer,
 * send. It ends when every filtered task is gone (POLLHUP) or on {@link #stop}, and then closes
 * the listener, so a call still waiting gets ENOSYS from the kernel, never a hang. A call it
 * cannot answer gets ENOSYS (reported once per call number); a call of this JVM's own threads
 * is let through (CONTINUE) without reading anything.
 */
final class Supervisor implements Runnable {
    /**
     * The JVM's exit waits for every thread in native code (this one, in poll) to come back, up to
     * 300 ms, so {@link #stop} wakes the poll at once through an eventfd. Before, a 200 ms poll
     * timeout gave CMD's exit status 0-200 ms after CMD ended, a 20 ms one 0-20 (BENCHMARKS.md "One
     * downcall, a supervisor woken at stop"). With the eventfd the timeout is only a bound; without
     * one (eventfd(2) failed) the short timeout is what ends the poll after a stop.
     */
    private static final int POLL_MILLIS = 250;
    private static final int NO_EVENTFD_POLL_MILLIS = 20;
    /** /proc/PID/status has Uid on its 9th line and CapEff near its 40th (about 1.5 KB in), well within this. */
    private static final int STATUS_BYTES = 4096;
    private final int listener;
    private final CallAnswerer answerer;
    private final int notifSize, respSize;
    private final Set<Integer> reported = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    /**
     * Written by {@link #stop}, polled beside the listener; -1 if eventfd(2) failed, or once the
     * loop has closed it (under this object's lock, so stop never writes to a reused fd number).
     */
    private int wake = Seccomp.eventfd();
    private final int ownPid = (int) ProcessHandle.current().pid();
    /** Reused for /proc/PID/status: read natively, no file object per call. */
    private MemorySegment statusBuffer;
    private MemorySegment pathBuffer;

    Supervisor(int listener, CallAnswerer answerer, int[] sizes) {
        this.listener = listener;
        this.answerer = answerer;
        this.notifSize = Math.max(sizes[0], 80);
        this.respSize = Math.max(sizes[1], 24);
    }

    synchronized void stop() {
        stopped = true;
        if (wake >= 0) {
            MemorySegment one = Arena.ofAuto().allocate(8, 8);
            one.set(JAVA_LONG, 0, 1L);
            Seccomp.write(wake, one);
        }
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment notif = arena.allocate(notifSize, 8);
            MemorySegment resp = arena.allocate(respSize, 8);
            MemorySegment id = arena.allocate(8, 8);
            statusBuffer = arena.allocate(STATUS_BYTES);
            pathBuffer = arena.allocate(64);
            MemorySegment pollfds = arena.allocate(2 * Seccomp.POLLFD_BYTES, 8);
            Seccomp.setPollfd(pollfds, 0, listener, Seccomp.POLLIN);
            Seccomp.setPollfd(pollfds, 1, wake, Seccomp.POLLIN);
            int count = wake >= 0 ? 2 : 1; // only this thread changes wake
            int timeout = wake >= 0 ? POLL_MILLIS : NO_EVENTFD_POLL_MILLIS;
            while (!stopped) {
                int ready = Seccomp.poll(pollfds, count, timeout);
                if (ready == -Errno.EINTR || ready == 0) continue;
                if (ready < 0) throw new IOException("poll of the seccomp listener: errno " + -ready);
                int events = Seccomp.revents(pollfds, 0);
                if ((events & Seccomp.POLLIN) != 0) handleOne(notif, resp, id);
                else if ((events & (Seccomp.POLLHUP | Seccomp.POLLERR)) != 0) return; // every filtered task is gone
            }
        } catch (Throwable t) {
            System.err.println("procsys exec: the call interceptor stopped (" + t + "); intercepted calls now fail with ENOSYS");
        } finally {
            Seccomp.close(listener);
            synchronized (this) {
                if (wake >= 0) Seccomp.close(wake);
                wake = -1;
            }
        }
    }

    private void handleOne(MemorySegment notif, MemorySegment resp, MemorySegment idBuffer) {
        notif.fill((byte) 0);
        int r = Seccomp.ioctl(listener, Seccomp.IOCTL_NOTIF_RECV, notif);
        if (r < 0) return; // ENOENT: the caller died or was interrupted before we read it; EINTR: poll again
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) args[i] = notif.get(JAVA_LONG, Seccomp.NOTIF_DATA + Seccomp.DATA_ARGS + 8L * i);
        TrappedCall call = new TrappedCall(notif.get(JAVA_LONG, Seccomp.NOTIF_ID), notif.get(JAVA_INT, Seccomp.NOTIF_PID),
                notif.get(JAVA_INT, Seccomp.NOTIF_DATA + Seccomp.DATA_NR), args);
        idBuffer.set(JAVA_LONG, 0, call.id());
        Answer answer;
        if (notif.get(JAVA_INT, Seccomp.NOTIF_DATA + Seccomp.DATA_ARCH) != Seccomp.AUDIT_ARCH) {
            answer = Answer.error(Errno.ENOSYS); // not this machine's numbering (the filter traps none such): never read as one of ours
        } else if (ownThread(call.pid())) {
            answer = Answer.CONTINUE;
        } else {
            try {
                answer = answerer.answer(call, new LiveCaller(call, idBuffer));
            } catch (Caller.Gone gone) {
                return; // nobody waits for an answer
            } catch (Caller.Unreadable e) {
                answer = Answer.error(Errno.EAGAIN); // its status could not be read now (EMFILE, say): "try again", never a hang
            } catch (Exception | Error e) {
                if (reported.add(call.nr())) {
                    System.err.println("procsys exec: cannot answer system call " + call.nr() + " (" + e.getMessage() + "); answered ENOSYS");
                }
                answer = Answer.error(Errno.ENOSYS);
            }
        }
        resp.fill((byte) 0);
        resp.set(JAVA_LONG, Seccomp.RESP_ID, call.id());
        resp.set(JAVA_LONG, Seccomp.RESP_VAL, answer.value());
        resp.set(JAVA_INT, Seccomp.RESP_ERROR, -answer.error());
        resp.set(JAVA_INT, Seccomp.RESP_FLAGS, answer.proceed() ? Seccomp.USER_NOTIF_FLAG_CONTINUE : 0);
        Seccomp.ioctl(listener, Seccomp.IOCTL_NOTIF_SEND, resp); // ENOENT: the caller died or was interrupted meanwhile
    }

    /** A thread of this JVM (the spawning thread, a thread it started): the kernel runs the call itself. */
    private boolean ownThread(int tid) {
        return Seccomp.tgkill(ownPid, tid, 0) == 0; // signal 0: only asks whether tid is one of our threads
    }

    private boolean stillWaiting(MemorySegment id) {
        return Seccomp.ioctl(listener, Seccomp.IOCTL_NOTIF_ID_VALID, id) == 0;
    }


    /** The trapped process, checked against its notification id after each read and before each write. */
    private final class LiveCaller implements Caller {
        private final TrappedCall call;
        private final MemorySegment id;

        LiveCaller(TrappedCall call, MemorySegment id) {
            this.call = call;
            this.id = id;
        }

        @Override
        public Identity identity() throws IOException, Gone {
            pathBuffer.setString(0, "/proc/" + call.pid() + "/status");
            int fd = Seccomp.openReadOnly(pathBuffer);
            if (fd < 0) {
                if (!stillWaiting(id)) throw new Gone();
                throw new Unreadable("/proc/" + call.pid() + "/status: errno " + -fd);
            }
            long n;
            try {
                n = Seccomp.read(fd, statusBuffer, STATUS_BYTES);
            } finally {
                Seccomp.close(fd);
            }
            if (!stillWaiting(id)) throw new Gone();
            Identity identity = n <= 0 ? null : Identity.parse(new String(statusBuffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1));
            if (identity == null) throw new IOException("no Uid line in /proc/" + call.pid() + "/status");
            return identity;
        }

        @Override
        public boolean write(long address, byte[] bytes) throws Gone {
            try (FileChannel mem = FileChannel.open(Path.of("/proc/" + call.pid() + "/mem"), StandardOpenOption.WRITE)) {
                if (!stillWaiting(id)) throw new Gone(); // the open mem is this caller's memory, not a reuser's
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long at = address;
                while (buffer.hasRemaining()) {
                    int n = mem.write(buffer, at);
                    if (n <= 0) return false; // the memory went away since ID_VALID: EFAULT, not a loop
                    at += n;
                }
                return true;
            } catch (IOException e) {
                if (!stillWaiting(id)) throw new Gone();
                return false;
            }
        }
    }
}
