package io.procsys.fs;

import io.procsys.fuse.PollHandle;
import io.procsys.posix.Libc;
import io.procsys.posix.PollCalls;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pollers kept by their sources: told when one is ready, dropped when released, and never left waiting after a failure. */
class SourcePollsTest {
    /** A waiter that counts what it was told. */
    static final class Waiter implements PollHandle {
        final AtomicInteger ready = new AtomicInteger(), dropped = new AtomicInteger();

        public void notifyReady() {
            ready.incrementAndGet();
        }

        public void drop() {
            dropped.incrementAndGet();
        }
    }

    static long openDescriptors() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 500 && !done.getAsBoolean(); i++) Thread.sleep(10);
    }

    @Test
    void thousandsOfWatchesAreToldOneByOneAndLeaveNothingBehind() throws Exception {
        long before = openDescriptors();
        List<Integer> sources = new ArrayList<>();
        List<Waiter> waiters = new ArrayList<>();
        try (SourcePolls polls = new SourcePolls()) {
            for (int i = 0; i < 2000; i++) {
                int source = PollCalls.eventfd();
                sources.add(source);
                Waiter w = new Waiter();
                waiters.add(w);
                assertEquals(0, polls.poll(i, source, PollCalls.POLLIN, w), "nothing ready yet");
            }
            PollCalls.signal(sources.get(7));
            waitFor(() -> waiters.get(7).ready.get() == 1);
            assertEquals(1, waiters.get(7).ready.get(), "the ready source's poller is told");
            assertEquals(PollCalls.POLLIN, polls.poll(7, sources.get(7), PollCalls.POLLIN, PollHandle.NONE) & PollCalls.POLLIN);
            for (int i = 0; i < 1000; i++) polls.forget(i);
            assertEquals(999, waiters.subList(0, 1000).stream().mapToInt(w -> w.dropped.get()).sum(), "released: dropped (one was told)");
        }
        assertTrue(waiters.stream().allMatch(w -> w.ready.get() + w.dropped.get() == 1), "every waiter answered once");
        for (int source : sources) Libc.close(source);
        assertEquals(before, openDescriptors(), "every duplicate, the set and its eventfd closed");
    }

    @Test
    void aFailedWaitTellsEveryWaiterAndWatchingGoesOn() throws Exception {
        try (SourcePolls polls = new SourcePolls()) {
            int source = PollCalls.eventfd();
            Waiter first = new Waiter();
            polls.poll(1, source, PollCalls.POLLIN, first);
            var field = SourcePolls.class.getDeclaredField("epoll");
            field.setAccessible(true);
            Libc.close(field.getInt(polls)); // the set goes bad under the waiting thread, which wakes on the eventfd
            var wake = SourcePolls.class.getDeclaredField("wake");
            wake.setAccessible(true);
            PollCalls.signal(wake.getInt(polls));
            waitFor(() -> first.ready.get() == 1);
            assertEquals(1, first.ready.get(), "told to poll again rather than left waiting");
            Thread.sleep(200);
            Waiter second = new Waiter();
            polls.poll(2, source, PollCalls.POLLIN, second);
            PollCalls.signal(source);
            waitFor(() -> second.ready.get() == 1);
            assertEquals(1, second.ready.get(), "a new set watches the next poller");
            Libc.close(source);
        }
    }
}
