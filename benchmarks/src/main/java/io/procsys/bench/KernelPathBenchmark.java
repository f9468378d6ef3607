package io.procsys.bench;

import io.procsys.posix.Libc;
import io.procsys.posix.Stat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Through the kernel: stat (getattr) and open+read-all+close of one file under {@code root},
 * which the run script points at the native /proc, a procsys mount and libfuse's C
 * passthrough_ll. The system calls go straight through FFM into native memory, so the harness
 * adds the same small cost to every target.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KernelPathBenchmark {
    @Param({"/proc"})
    public String root;

    @Param({"meminfo", "stat", "cpuinfo", "self/stat"})
    public String file;

    private Arena arena;
    private MemorySegment path;
    private MemorySegment statBuffer;
    private MemorySegment data;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        path = arena.allocateFrom(root + "/" + file);
        statBuffer = arena.allocate(Stat.SIZE, 8);
        data = arena.allocate(256 * 1024, 8);
        if (read() <= 0) throw new IllegalStateException("cannot read " + root + "/" + file);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int stat() {
        int rc = Libc.fstatat(Libc.AT_FDCWD, path, statBuffer, 0);
        if (rc != 0) throw new IllegalStateException("stat failed: " + rc);
        return rc;
    }

    @Benchmark
    public long read() {
        int fd = Libc.openat(Libc.AT_FDCWD, path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IllegalStateException("open failed: " + fd);
        long total = 0, n;
        while ((n = Libc.read(fd, data, data.byteSize())) > 0) total += n;
        Libc.close(fd);
        return total;
    }
}
