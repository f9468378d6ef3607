package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeminfoAggregatorTest {
    static Map<String, Long> values(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : lines(text)) {
            values.put(fields(line).get(0), Long.parseLong(fields(line).get(1)));
        }
        return values;
    }

    @Test
    void amountsAreSummedSizesKeptLargestChunkTaken() {
        List<HostPart> parts = cluster("meminfo");
        CombineResult result = combine("meminfo", parts);
        assertDropped(result);
        Map<String, Long> combined = values(result.text());
        for (var entry : combined.entrySet()) {
            List<Long> hostValues = parts.stream().map(p -> values(p.text()).get(entry.getKey())).filter(v -> v != null).toList();
            long expected = switch (entry.getKey()) {
                case "Hugepagesize:", "VmallocTotal:" -> hostValues.getFirst();
                case "VmallocChunk:" -> hostValues.stream().mapToLong(v -> v).max().orElseThrow();
                default -> hostValues.stream().mapToLong(v -> v).sum(); // summed over the hosts that have it
            };
            assertEquals(expected, entry.getValue(), entry.getKey());
        }
        long memTotal = parts.stream().mapToLong(p -> values(p.text()).get("MemTotal:")).sum();
        assertEquals(memTotal, combined.get("MemTotal:"));
        // every key of every host, the first host's order first
        List<String> firstKeys = List.copyOf(values(parts.get(0).text()).keySet());
        assertEquals(firstKeys, List.copyOf(combined.keySet()).subList(0, firstKeys.size()));
        assertTrue(combined.containsKey("Zswap:"), "a key only the prometheus host has");
    }

    @Test
    void linesKeepTheKernelLayout() {
        String text = combine("meminfo", cluster("meminfo")).text();
        for (String line : lines(text)) {
            assertTrue(line.matches("\\S+:\\s+\\d+( kB)?"), line);
        }
        String memTotal = lines(text).getFirst();
        assertEquals(24, memTotal.length() - " kB".length(), "value ends in column 24: " + memTotal);
        assertTrue(lines(text).contains("HugePages_Total:       0"), "no unit where the kernel prints none");
    }

    @Test
    void differingSizeKeepsTheFirstAndIsNoted() {
        HostPart a = new HostPart("a", 0, "MemTotal: 10 kB\nHugepagesize:    2048 kB\n");
        HostPart b = new HostPart("b", 1, "MemTotal: 5 kB\nHugepagesize:    1048576 kB\n");
        CombineResult result = combine("meminfo", List.of(a, b));
        assertEquals(Map.of("MemTotal:", 15L, "Hugepagesize:", 2048L), values(result.text()));
        assertEquals(1, result.notes().size(), result.notes()::toString);
        assertTrue(result.notes().getFirst().contains("Hugepagesize"));
    }

    @Test
    void malformedPartsAreDroppedAndTheOthersStillCombine() {
        List<HostPart> good = cluster("meminfo");
        long goodTotal = good.stream().mapToLong(p -> values(p.text()).get("MemTotal:")).sum();
        String[] bad = {
                "",                                             // empty
                "MemTotal:       12 kB\nMemFree:\n",            // truncated line
                "MemTotal:       twelve kB\n",                  // not a number
                "MemTotal:       99999999999999999999 kB\n",    // beyond a long
                "MemTotal:       -5 kB\n",                      // negative amount
                "MemTotal:       12 MB\n",                      // unknown unit
                "MemTotal        12 kB\n",                      // no colon
                "MemTotal:       1\u00ff2 kB\n",                // a non-UTF-8 byte
                "MemTotal: 1 kB\nMemTotal: 2 kB\n",             // twice
        };
        for (String text : bad) {
            CombineResult result = combine("meminfo", with(good, new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(goodTotal, values(result.text()).get("MemTotal:"), text);
        }
    }

    @Test
    void aSumThatWouldOverflowDropsThePartThatOverflows() {
        HostPart a = new HostPart("a", 0, "MemTotal: " + Long.MAX_VALUE + " kB\nMemFree: 1 kB\n");
        HostPart b = new HostPart("b", 1, "MemTotal: 1 kB\nMemFree: 2 kB\n");
        HostPart c = new HostPart("c", 2, "MemFree: 4 kB\n");
        CombineResult result = combine("meminfo", List.of(a, b, c));
        assertDropped(result, 1);
        assertEquals(Map.of("MemTotal:", Long.MAX_VALUE, "MemFree:", 5L), values(result.text()));
    }

    @Test
    void partsOverFourMebibytesAreDropped() {
        String huge = "MemTotal: 1 kB\n" + "X".repeat(Aggregator.MAX_PART_CHARS);
        CombineResult result = combine("meminfo", with(cluster("meminfo"), new HostPart("huge", 3, huge)));
        assertDropped(result, 3);
    }
}
