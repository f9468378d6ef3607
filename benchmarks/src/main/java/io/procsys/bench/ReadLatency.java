package io.procsys.bench;

import io.procsys.fuse.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** open+read-all+close of one file, COUNT times after WARMUP: prints p50, p99 and max in µs as JSON. */
public final class ReadLatency {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ReadLatency FILE COUNT [WARMUP]");
            System.exit(2);
        }
        int count = Integer.parseInt(args[1]);
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : count / 10;
        long[] micros = new long[count];
        long errors = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(args[0]);
            MemorySegment buf = arena.allocate(1 << 20);
            for (int i = -warmup; i < count; i++) {
                long t0 = System.nanoTime();
                int fd = Libc.openat(Libc.AT_FDCWD, path, Libc.O_RDONLY);
                if (fd < 0) {
                    errors++;
                    continue;
                }
                while (Libc.read(fd, buf, buf.byteSize()) > 0) {
                    // read it all
                }
                Libc.close(fd);
                if (i >= 0) micros[i] = (System.nanoTime() - t0) / 1000;
            }
        }
        Arrays.sort(micros);
        System.out.printf("{\"reads\": %d, \"errors\": %d, \"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d}%n",
                count, errors, micros[count / 2], micros[(int) (count * 0.99)], micros[count - 1]);
    }
}
