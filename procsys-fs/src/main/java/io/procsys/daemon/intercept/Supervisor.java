package io.procsys.daemon.intercept;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.Seccomp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    private static final int POLL_MILLIS = 200;
    private final int listener;
    private final CallAnswerer answerer;
    private final int notifSize, respSize;
    private final Set<Integer> reported = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    Supervisor(int listener, CallAnswerer answerer, int[] sizes) {
        this.listener = listener;
        this.answerer = answerer;
        this.notifSize = Math.max(sizes[0], 80);
        this.respSize = Math.max(sizes[1], 24);
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment notif = arena.allocate(notifSize, 8);
            MemorySegment resp = arena.allocate(respSize, 8);
            MemorySegment id = arena.allocate(8, 8);
            while (!stopped) {
                int events = Seccomp.poll(listener, Seccomp.POLLIN, POLL_MILLIS);
                if (events == -Errno.EINTR || events == 0) continue;
                if (events < 0) throw new IOException("poll of the seccomp listener: errno " + -events);
                if ((events & Seccomp.POLLIN) != 0) handleOne(notif, resp, id);
                else if ((events & (Seccomp.POLLHUP | Seccomp.POLLERR)) != 0) return; // every filtered task is gone
            }
        } catch (Throwable t) {
            System.err.println("procsys exec: the call interceptor stopped (" + t + "); intercepted calls now fail with ENOSYS");
        } finally {
            Libc.close(listener);
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
        if (ownThread(call.pid())) {
            answer = Answer.CONTINUE;
        } else {
            try {
                answer = answerer.answer(call, new LiveCaller(call, idBuffer));
            } catch (Caller.Gone gone) {
                return;
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
    private static boolean ownThread(int tid) {
        return Files.exists(Path.of("/proc/self/task/" + tid));
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
        public int uid() throws IOException, Gone {
            String uid;
            try {
                uid = MountView.field(Files.readString(Path.of("/proc/" + call.pid() + "/status")), "Uid");
            } catch (IOException e) {
                throw new Gone();
            }
            if (!stillWaiting(id)) throw new Gone();
            if (uid == null) throw new IOException("no Uid line in /proc/" + call.pid() + "/status");
            return Integer.parseInt(uid);
        }

        @Override
        public boolean write(long address, byte[] bytes) throws Gone {
            try (FileChannel mem = FileChannel.open(Path.of("/proc/" + call.pid() + "/mem"), StandardOpenOption.WRITE)) {
                if (!stillWaiting(id)) throw new Gone(); // the open mem is this caller's memory, not a reuser's
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long at = address;
                while (buffer.hasRemaining()) at += mem.write(buffer, at);
                return true;
            } catch (IOException e) {
                if (!stillWaiting(id)) throw new Gone();
                return false;
            }
        }
    }
}
