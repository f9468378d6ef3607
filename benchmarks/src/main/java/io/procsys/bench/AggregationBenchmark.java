package io.procsys.bench;

import io.procsys.fs.combine.Aggregators;
import io.procsys.fs.combine.CombineResult;
import io.procsys.fs.combine.HostPart;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Combining one file from N hosts in process, no network: the aggregator's cost per read of a
 * combined file. Parts alternate this machine's /proc and a captured host (FIXTURE, set by the
 * run script; run with -prof gc for bytes allocated per combine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AggregationBenchmark {
    @Param({"meminfo", "stat", "cpuinfo", "net/dev", "net/tcp"})
    public String file;

    @Param({"8", "32", "128"})
    public int hosts;

    @Param({"procsys-fs/src/test/data/hosts/prometheus-procfs"})
    public String fixture;

    private List<HostPart> parts;

    @Setup
    public void setUp() throws IOException {
        String live = Files.readString(Path.of("/proc", file), StandardCharsets.ISO_8859_1);
        Path captured = Path.of(fixture, file);
        String other = Files.exists(captured) ? Files.readString(captured, StandardCharsets.ISO_8859_1) : live;
        parts = new ArrayList<>();
        for (int i = 0; i < hosts; i++) parts.add(new HostPart(i == 0 ? "local" : "h" + i, i, i % 2 == 0 ? live : other));
    }

    @Benchmark
    public CombineResult combine() {
        return Aggregators.forPath(file).orElseThrow().combineWithReport(parts);
    }
}
