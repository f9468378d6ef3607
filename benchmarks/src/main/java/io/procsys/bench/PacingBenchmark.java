package io.procsys.bench;

import io.procsys.fs.clock.Rebase;
import io.procsys.fs.pace.CpuPacing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What pacing a remote process's CPU times costs per [pid]/stat served (docs/aggregation.md, "CPU
 * times of a late host"), over this machine's processes' stats: {@code steady} is a tool's pass a
 * second after the last (within the bound: the text served untouched), {@code paced} one where
 * every process is ahead of the bound (the text rewritten), {@code rebase} the start-time rewrite
 * every remote stat already gets, for scale. Per pass over all processes; divide by {@code count}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PacingBenchmark {
    private List<String> stats;
    private long nowNanos;
    private final CpuPacing pacing = new CpuPacing(() -> nowNanos);
    private final CpuPacing ahead = new CpuPacing(() -> nowNanos);
    private List<String> aheadStats;

    @Setup
    public void setUp() throws IOException {
        stats = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    stats.add(Files.readString(d.resolve("stat"), StandardCharsets.ISO_8859_1));
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        aheadStats = stats.stream().map(s -> withUtime(s, 1_000_000)).toList();
        for (String s : stats) ahead.paced(s, 1, false, 2);
        System.out.println("\n" + stats.size() + " processes' stats per pass");
    }

    /** {@code stat} with utime set to {@code ticks} (a process far ahead of what was served). */
    private static String withUtime(String stat, long ticks) {
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).split(" ", -1);
        f[11] = Long.toString(ticks);
        return stat.substring(0, close + 2) + String.join(" ", f);
    }

    @Benchmark
    public void steady(Blackhole out) {
        nowNanos += 1_000_000_000L;
        for (String s : stats) out.consume(pacing.paced(s, 1, false, 2));
    }

    @Benchmark
    public void paced(Blackhole out) {
        nowNanos += 1_000_000L; // a millisecond: 0.2 ticks allowed, so every pass stays behind
        for (String s : aheadStats) out.consume(ahead.paced(s, 1, false, 2));
    }

    @Benchmark
    public void rebase(Blackhole out) {
        for (String s : stats) out.consume(Rebase.stat(s, 1));
    }
}
