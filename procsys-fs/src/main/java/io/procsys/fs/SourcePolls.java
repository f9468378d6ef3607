package io.procsys.fs;

import io.procsys.fuse.PollHandle;
import io.procsys.posix.Libc;
import io.procsys.posix.PollCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.procsys.posix.PollCalls.POLLERR;
import static io.procsys.posix.PollCalls.POLLHUP;
import static io.procsys.posix.PollCalls.POLLIN;
import static io.procsys.posix.PollCalls.POLLOUT;
import static io.procsys.posix.PollCalls.POLLRDNORM;
import static io.procsys.posix.PollCalls.POLLWRNORM;

/**
 * poll(2) on open files, answered by their source as procfs answers it: mounts and mountinfo
 * say POLLPRI|POLLERR once the mount table changed (findmnt --poll, systemd, libmount's
 * monitor), kmsg POLLIN when a record came, pressure files POLLPRI. A poller that waits for
 * what is not ready yet is kept: one thread polls a duplicate of every such source (the same
 * open file, so the same poll state) and tells the kernel when one is ready; the events it saw
 * there (which the source then no longer reports) go to the kernel's next poll of that file.
 * Files without a source descriptor (a remote host's, a captured tree's) answer as procfs does
 * for a file without a poll method: always ready for reading and writing, never POLLPRI.
 */
final class SourcePolls implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs");
    /** procfs's DEFAULT_POLLMASK: what a file with no poll of its own answers. */
    static final int ALWAYS_READY = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

    /** A poller waiting on open file {@code handle}: {@code fd} is this class's duplicate of its source. */
    private record Watch(int fd, int events, PollHandle waiter) {}

    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    /** Events the watching thread took from a source before the kernel polled the file again, by file handle. */
    private final Map<Long, Integer> seen = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    /** The watching thread and the eventfd that wakes it when the watches change (guarded by lifecycle). */
    private Thread thread;
    private int wake = -1;
    private volatile boolean closed;

    /**
     * The events of {@code source} (open file {@code handle}'s) ready now, out of {@code events}
     * (0: any); {@code waiter} is told when the source may be ready, if nothing asked for is now.
     */
    int poll(long handle, int source, int events, PollHandle waiter) {
        int wanted = (events == 0 ? 0xffff : events) | POLLERR | POLLHUP;
        int ready = PollCalls.readyNow(source, wanted);
        if (ready < 0) {
            waiter.drop();
            return POLLERR;
        }
        Integer taken = seen.remove(handle);
        if (taken != null) ready |= taken;
        if ((ready & wanted) != 0 || waiter == PollHandle.NONE || !watch(handle, source, wanted, waiter)) waiter.drop();
        return ready;
    }

    /** Keeps {@code waiter} until {@code source} has one of {@code events}; false if it cannot be watched. */
    private boolean watch(long handle, int source, int events, PollHandle waiter) {
        int fd = PollCalls.duplicate(source);
        if (fd < 0 || !started()) {
            if (fd >= 0) Libc.close(fd);
            LOG.log(System.Logger.Level.WARNING, "poll: a file cannot be watched (errno " + -fd + "): its poller is not told of changes");
            return false;
        }
        end(watches.put(handle, new Watch(fd, events, waiter)), false); // a newer poll replaces the waiter before it
        PollCalls.signal(wake);
        return true;
    }

    /** Open file {@code handle} is released: its waiter is dropped. */
    void forget(long handle) {
        if (watches.isEmpty() && seen.isEmpty()) return; // the common release: nobody polled
        seen.remove(handle);
        Watch gone = watches.remove(handle);
        if (gone != null) {
            end(gone, false);
            PollCalls.signal(wake);
        }
    }

    /** Ends a watch this caller took out of the map: tells or drops its waiter, closes its duplicate. */
    private static void end(Watch watch, boolean ready) {
        if (watch == null) return;
        if (ready) watch.waiter().notifyReady();
        else watch.waiter().drop();
        Libc.close(watch.fd());
    }

    private boolean started() {
        synchronized (lifecycle) {
            if (closed) return false;
            if (thread != null) return true;
            wake = PollCalls.eventfd();
            if (wake < 0) return false;
            thread = Thread.ofPlatform().daemon().name("procsys-poll").start(this::run);
            return true;
        }
    }

    /** The watching thread: poll(2) over the wake eventfd and every watched source, until closed. */
    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment eventfdValue = arena.allocate(8);
            while (!closed) {
                if (!pollOnce(eventfdValue)) return;
            }
        }
    }

    /** One poll(2) over the wake eventfd and every source watched now; false if poll itself failed. */
    private boolean pollOnce(MemorySegment eventfdValue) {
        List<Map.Entry<Long, Watch>> now = List.copyOf(watches.entrySet());
        try (Arena round = Arena.ofConfined()) {
            MemorySegment fds = round.allocate(PollCalls.POLLFD_SIZE * (now.size() + 1L));
            PollCalls.set(fds, 0, wake, POLLIN);
            for (int i = 0; i < now.size(); i++) PollCalls.set(fds, i + 1, now.get(i).getValue().fd(), now.get(i).getValue().events());
            int n = PollCalls.poll(fds, now.size() + 1, -1);
            if (n < 0) {
                LOG.log(System.Logger.Level.WARNING, "poll: watching sources failed (errno " + -n + "): pollers are not told of changes");
                return false;
            }
            if (PollCalls.revents(fds, 0) != 0) Libc.read(wake, eventfdValue, 8);
            for (int i = 0; i < now.size(); i++) {
                int revents = PollCalls.revents(fds, i + 1);
                Map.Entry<Long, Watch> e = now.get(i);
                if (revents != 0 && watches.remove(e.getKey(), e.getValue())) {
                    seen.merge(e.getKey(), revents, (a, b) -> a | b);
                    end(e.getValue(), true);
                }
            }
            return true;
        }
    }

    /** Stops watching (before the session ends: no waiter is told after), dropping every waiter. */
    @Override
    public void close() {
        Thread running;
        synchronized (lifecycle) {
            closed = true;
            running = thread;
            if (running != null) PollCalls.signal(wake);
        }
        if (running != null) {
            try {
                running.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Long handle : List.copyOf(watches.keySet())) end(watches.remove(handle), false);
        synchronized (lifecycle) {
            if (wake >= 0 && (running == null || !running.isAlive())) Libc.close(wake);
        }
    }
}
