package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry, and the never-throw contract for every aggregator under random damage. */
class AggregatorsTest {
    static List<String> paths() {
        return Aggregators.paths();
    }

    @Test
    void theRegistryListsWhatItCombinesAndNothingElse() throws Exception {
        assertEquals(18, Aggregators.paths().size(), Aggregators.paths().toString());
        String documented = Files.readString(java.nio.file.Path.of("../docs/aggregation.md"));
        for (String path : Aggregators.paths()) {
            assertTrue(Aggregators.forPath(path).isPresent(), path);
            String name = path.substring(path.lastIndexOf('/') + 1); // the table names net/tcp6 as `tcp6` after `net/tcp`
            assertTrue(documented.contains("`" + path + "`") || documented.contains("`" + name + "`"),
                    path + " is described in docs/aggregation.md");
        }
        assertEquals(List.of("meminfo", "vmstat", "cpuinfo", "stat", "uptime", "loadavg", "swaps", "diskstats"),
                Aggregators.topLevelPaths());
        assertFalse(Aggregators.forPath("kcore").isPresent());
        assertFalse(Aggregators.forPath("net/udp_broken").isPresent());
    }

    @Test
    void noPartsAndOnlyBadPartsGiveAnEmptyFile() {
        for (String path : Aggregators.paths()) {
            Aggregator aggregator = Aggregators.forPath(path).orElseThrow();
            assertEquals("", aggregator.combine(List.of()), path);
            CombineResult result = aggregator.combineWithReport(List.of(new HostPart("bad", 0, "\u00ff\u0000garbage")));
            assertEquals("", result.text(), path);
            assertEquals(1, result.dropped().size(), path);
        }
    }

    /**
     * Truncated at random places, bytes changed at random, garbage: no exception, the good part
     * kept, only the damaged one ever dropped, and the output bounded by the input.
     */
    @ParameterizedTest
    @MethodSource("paths")
    void damagedPartsNeverThrow(String path) {
        HostPart good = Hosts.part(0, "local-a", path);
        Aggregator aggregator = Aggregators.forPath(path).orElseThrow();
        Random random = new Random(path.hashCode());
        for (int round = 0; round < 300; round++) {
            String damaged = damage(good.text(), random);
            List<HostPart> parts = new ArrayList<>(List.of(good, new HostPart("damaged", 1 + random.nextInt(255), damaged)));
            CombineResult result = aggregator.combineWithReport(parts);
            assertTrue(result.dropped().stream().allMatch(d -> d.host().equals("damaged")), "only the damaged part may be dropped");
            assertFalse(result.text().isEmpty(), "the good part still combines");
            Hosts.assertBounded(result, parts);
        }
    }

    static String damage(String text, Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> text.substring(0, random.nextInt(text.length() + 1));
            case 1 -> {
                char[] chars = text.toCharArray();
                for (int i = 0; i < 1 + random.nextInt(5) && chars.length > 0; i++) {
                    chars[random.nextInt(chars.length)] = (char) random.nextInt(256);
                }
                yield new String(chars);
            }
            case 2 -> text.replaceFirst("[0-9]+", "9".repeat(1 + random.nextInt(25)));
            default -> {
                char[] chars = new char[random.nextInt(200)];
                for (int i = 0; i < chars.length; i++) {
                    chars[i] = (char) random.nextInt(256);
                }
                yield new String(chars);
            }
        };
    }

    @Test
    void fixturesArePlainFiles() throws Exception {
        for (String host : List.of("local-a", "local-b")) {
            try (var files = Files.walk(Hosts.DIR.resolve(host))) {
                files.forEach(f -> assertFalse(Files.isSymbolicLink(f), f.toString()));
            }
        }
    }
}
