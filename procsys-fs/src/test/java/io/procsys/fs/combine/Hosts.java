package io.procsys.fs.combine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fixture hosts and small independent parsing helpers for the aggregator tests. */
final class Hosts {
    static final Path DIR = Path.of("src/test/data/hosts");

    private Hosts() {
    }

    static String read(String host, String file) {
        try {
            return new String(Files.readAllBytes(DIR.resolve(host).resolve(file)), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The output-size contract of every aggregator: at most twice its input plus 4 KiB (renamed
     * interfaces and encoded inodes make rows longer, never more than twice), whatever a part holds.
     */
    static void assertBounded(CombineResult result, List<HostPart> parts) {
        long input = parts.stream().mapToLong(p -> p.text().length()).sum();
        org.junit.jupiter.api.Assertions.assertTrue(result.text().length() <= 2 * input + 4096,
                "output bounded by input: " + result.text().length() + " chars for " + input);
    }

    static HostPart part(int index, String host, String file) {
        return new HostPart(host, index, read(host, file));
    }

    /** This VM as the local host, the 8-CPU prometheus host as host 1, this VM 3 s later as host 2. */
    static List<HostPart> cluster(String file) {
        return List.of(part(0, "local-a", file), part(1, "prometheus-procfs", file), part(2, "local-b", file));
    }

    /** For files the prometheus host lacks: this VM, 3 s later, and the first capture again. */
    static List<HostPart> localCluster(String file) {
        return List.of(part(0, "local-a", file), part(1, "local-b", file), part(2, "local-a", file));
    }

    static List<HostPart> with(List<HostPart> parts, HostPart extra) {
        List<HostPart> all = new ArrayList<>(parts);
        all.add(extra);
        return all;
    }

    static CombineResult combine(String path, List<HostPart> parts) {
        return Aggregators.forPath(path).orElseThrow().combineWithReport(parts);
    }

    static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    static List<String> fields(String line) {
        String stripped = line.strip();
        return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split("\\s+"));
    }

    static long sum(List<HostPart> parts, ToLongFunction<HostPart> value) {
        return parts.stream().mapToLong(value).sum();
    }

    static void assertDropped(CombineResult result, Integer... indexes) {
        Set<Integer> dropped = result.dropped().stream().map(CombineResult.Dropped::index).collect(Collectors.toSet());
        assertEquals(Set.of(indexes), dropped, () -> "dropped: " + result.dropped());
    }
}
