package io.procsys.bench;

import io.procsys.posix.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * open+read-all+close of one file, COUNT times after WARMUP, by READERS threads at once (default
 * 1; each does its share): prints p50, p99 and max in µs over all reads as JSON.
 */
public final class ReadLatency {
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: ReadLatency FILE COUNT [WARMUP [READERS]]");
            System.exit(2);
        }
        int count = Integer.parseInt(args[1]);
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : count / 10;
        int readers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        long[] micros = new long[count];
        AtomicLong errors = new AtomicLong();
        Thread[] threads = new Thread[readers];
        for (int r = 0; r < readers; r++) {
            int from = count * r / readers, to = count * (r + 1) / readers;
            // every thread warms up on its own too: its first native calls link their downcalls
            threads[r] = Thread.ofPlatform().start(() -> readMany(args[0], micros, from, to, Math.max(warmup / readers, 20), errors));
        }
        for (Thread t : threads) t.join();
        Arrays.sort(micros);
        System.out.printf("{\"reads\": %d, \"readers\": %d, \"errors\": %d, \"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d}%n",
                count, readers, errors.get(), micros[count / 2], micros[(int) (count * 0.99)], micros[count - 1]);
    }

    private static void readMany(String file, long[] micros, int from, int to, int warmup, AtomicLong errors) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file);
            MemorySegment buf = arena.allocate(1 << 20);
            for (int i = from - warmup; i < to; i++) {
                long t0 = System.nanoTime();
                int fd = Libc.openat(Libc.AT_FDCWD, path, Libc.O_RDONLY);
                if (fd < 0) {
                    errors.incrementAndGet();
                    continue;
                }
                while (Libc.read(fd, buf, buf.byteSize()) > 0) {
                    // read it all
                }
                Libc.close(fd);
                if (i >= from) micros[i] = (System.nanoTime() - t0) / 1000;
            }
        }
    }
}
