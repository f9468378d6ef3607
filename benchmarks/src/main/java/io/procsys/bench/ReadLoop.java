package io.procsys.bench;

import io.procsys.posix.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Reads files under a root N times in a loop (open, read all, close): load for the RSS figure. */
public final class ReadLoop {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ReadLoop ROOT COUNT [FILE...]");
            System.exit(2);
        }
        String root = args[0];
        long count = Long.parseLong(args[1]);
        List<String> files = args.length > 2 ? List.of(args).subList(2, args.length)
                : List.of("meminfo", "stat", "cpuinfo", "self/stat", "loadavg", "uptime", "self/status");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] paths = files.stream().map(f -> arena.allocateFrom(root + "/" + f)).toArray(MemorySegment[]::new);
            MemorySegment buf = arena.allocate(256 * 1024);
            long bytes = 0, errors = 0;
            for (long i = 0; i < count; i++) {
                int fd = Libc.openat(Libc.AT_FDCWD, paths[(int) (i % paths.length)], Libc.O_RDONLY);
                if (fd < 0) {
                    errors++;
                    continue;
                }
                long n;
                while ((n = Libc.read(fd, buf, buf.byteSize())) > 0) bytes += n;
                if (n < 0) errors++;
                Libc.close(fd);
            }
            System.out.println("{\"reads\": " + count + ", \"bytes\": " + bytes + ", \"errors\": " + errors + "}");
        }
    }
}
