package io.procsys.fs;

import io.procsys.fuse.PollHandle;
import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import io.procsys.posix.PollCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 * what is not ready yet is kept: a duplicate of its source (the same open file, so the same poll
 * state) is added to one epoll set, one-shot, and removed when it fires or the file is released,
 * each change one epoll_ctl (however many files are watched); one thread waits on the set and
 * tells the kernel when a source is ready, and the events it saw there (which the source then no
 * longer reports) go to the kernel's next poll of that file. If waiting fails, every waiter is told
 * "ready" (it polls again and finds the truth) and the thread goes on; it never stops for good.
 * Files without a source descriptor (a remote host's, a captured tree's) answer as procfs does
 * for a file without a poll method: always ready for reading and writing, never POLLPRI.
 */
final class SourcePolls implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs");
    /** procfs's DEFAULT_POLLMASK: what a file with no poll of its own answers. */
    static final int ALWAYS_READY = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
    private static final int MAX_EVENTS = 64;
    /** The epoll data of the wake eventfd; watches are numbered from 1. */
    private static final long WAKE = 0;

    /** A poller waiting on open file {@code handle}: {@code fd} is this class's duplicate of its source, {@code id} its epoll data. */
    private record Watch(long id, long handle, int fd, PollHandle waiter) {}

    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final Map<Long, Watch> byId = new ConcurrentHashMap<>();
    /** Events the watching thread took from a source before the kernel polled the file again, by file handle. */
    private final Map<Long, Integer> seen = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Object lifecycle = new Object();
    /** The watching thread, the epoll set and the eventfd that wakes it at close (guarded by lifecycle). */
    private Thread thread;
    private int epoll = -1, wake = -1;
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
        int set = started();
        int added = fd < 0 ? fd : set < 0 ? set : 0;
        Watch watch = null;
        if (added == 0) {
            watch = new Watch(nextId.getAndIncrement(), handle, fd, waiter);
            byId.put(watch.id(), watch);
            stop(watches.put(handle, watch), false); // a newer poll replaces the waiter before it
            added = PollCalls.epollControl(set, PollCalls.EPOLL_CTL_ADD, fd, events | PollCalls.EPOLLONESHOT, watch.id());
        }
        if (added == 0) return true;
        if (watch != null && watches.remove(handle, watch)) byId.remove(watch.id());
        if (fd >= 0) Libc.close(fd);
        LOG.log(System.Logger.Level.WARNING, "poll: a file cannot be watched (" + Errno.name(-added) + "): its poller is answered at once");
        return false;
    }

    /** Open file {@code handle} is released: its waiter is dropped. */
    void forget(long handle) {
        if (watches.isEmpty() && seen.isEmpty()) return; // the common release: nobody polled
        seen.remove(handle);
        Watch gone = watches.remove(handle);
        if (gone != null) stop(gone, false);
    }

    /** Ends a watch this caller took out of {@link #watches}: out of the set, its duplicate closed, its waiter told or dropped. */
    private void stop(Watch watch, boolean ready) {
        if (watch == null) return;
        byId.remove(watch.id());
        int set;
        synchronized (lifecycle) {
            set = epoll;
        }
        if (set >= 0) PollCalls.epollControl(set, PollCalls.EPOLL_CTL_DEL, watch.fd(), 0, 0); // the open file stays watched while any descriptor of it is open
        Libc.close(watch.fd());
        if (ready) watch.waiter().notifyReady();
        else watch.waiter().drop();
    }

    /** The epoll set, made with its thread on the first watch: its descriptor, or -errno. */
    private int started() {
        synchronized (lifecycle) {
            if (closed) return -Errno.EBADF;
            if (thread != null) return epoll >= 0 ? epoll : -Errno.EBADF;
            epoll = PollCalls.epollCreate();
            if (epoll < 0) return epoll;
            wake = PollCalls.eventfd();
            if (wake < 0 || PollCalls.epollControl(epoll, PollCalls.EPOLL_CTL_ADD, wake, POLLIN, WAKE) < 0) {
                int failed = wake < 0 ? wake : -Errno.EIO;
                if (wake >= 0) Libc.close(wake);
                Libc.close(epoll);
                epoll = wake = -1;
                return failed;
            }
            thread = Thread.ofPlatform().daemon().name("procsys-poll").start(this::run);
            return epoll;
        }
    }

    /** The watching thread: waits on the set until closed; a failed wait tells every waiter, and a new set replaces the old. */
    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(PollCalls.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
            MemorySegment scratch = arena.allocate(8, 8);
            while (!closed) {
                try {
                    int set;
                    synchronized (lifecycle) {
                        set = epoll;
                    }
                    int n = set < 0 ? -Errno.EBADF : PollCalls.epollWait(set, events, MAX_EVENTS, -1);
                    if (n == -Errno.EINTR) continue;
                    if (n < 0) {
                        failed("waiting failed (" + Errno.name(-n) + ")");
                        renew();
                        Thread.sleep(100); // a set that cannot be made again is tried again, not in a loop
                        continue;
                    }
                    for (int i = 0; i < n; i++) fired(PollCalls.epollData(events, i), PollCalls.epollEvents(events, i), scratch);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | Error e) {
                    failed(e.toString()); // never a watcher gone for good: the waiters poll again
                }
            }
        }
    }

    /** A source of the set is ready (or the wake eventfd was written: closing). */
    private void fired(long id, int revents, MemorySegment scratch) {
        if (id == WAKE) {
            Libc.read(wake, scratch, 8); // read back to 0: level-triggered, it would wake every wait after
            return;
        }
        Watch watch = byId.get(id);
        if (watch != null && watches.remove(watch.handle(), watch)) {
            seen.merge(watch.handle(), revents, (a, b) -> a | b);
            stop(watch, true);
        }
    }

    /** A new epoll set with the wake eventfd in it, in place of one that failed. */
    private void renew() {
        synchronized (lifecycle) {
            if (closed) return;
            if (epoll >= 0) Libc.close(epoll);
            epoll = PollCalls.epollCreate();
            if (epoll >= 0) PollCalls.epollControl(epoll, PollCalls.EPOLL_CTL_ADD, wake, POLLIN, WAKE);
        }
    }

    /** Tells every waiter its file may be ready: each polls again, and sees what is. */
    private void failed(String why) {
        LOG.log(System.Logger.Level.WARNING, "poll: " + why + ": every poller is told its file may be ready, and watching goes on");
        for (Long handle : List.copyOf(watches.keySet())) {
            Watch watch = watches.remove(handle);
            if (watch != null) stop(watch, true);
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
        for (Long handle : List.copyOf(watches.keySet())) stop(watches.remove(handle), false);
        synchronized (lifecycle) {
            if (running == null || !running.isAlive()) {
                if (wake >= 0) Libc.close(wake);
                if (epoll >= 0) Libc.close(epoll);
                wake = epoll = -1;
            }
        }
    }
}
