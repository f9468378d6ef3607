package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuinfoAggregatorTest {
    /** The processor blocks (blank-line separated), each as its lines. */
    static List<List<String>> blocks(String text) {
        List<List<String>> blocks = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            if (!block.isBlank()) {
                blocks.add(List.of(block.strip().split("\n")));
            }
        }
        return blocks;
    }

    static String value(List<String> block, String key) {
        return block.stream().filter(l -> l.startsWith(key + "\t") || l.startsWith(key + " ") || l.startsWith(key + ":"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
    }

    @Test
    void processorsAreRenumberedDenselyAndPackagesMadeUniquePerHost() {
        List<HostPart> parts = cluster("cpuinfo");
        CombineResult result = combine("cpuinfo", parts);
        assertDropped(result);
        List<List<String>> combined = blocks(result.text());
        List<List<String>> expected = new ArrayList<>();
        long offset = 0;
        for (HostPart part : parts) {
            long packages = 0;
            for (List<String> block : blocks(part.text())) {
                long physicalId = Long.parseLong(value(block, "physical id"));
                packages = Math.max(packages, physicalId + 1);
                List<String> lines = new ArrayList<>();
                for (String line : block) {
                    if (line.startsWith("processor")) {
                        line = "processor\t: " + expected.size();
                    } else if (line.startsWith("physical id")) {
                        line = "physical id\t: " + (physicalId + offset);
                    }
                    lines.add(line);
                }
                expected.add(lines);
            }
            offset += packages;
        }
        assertEquals(2 + 8 + 2, combined.size(), "every host's processors");
        assertEquals(expected, combined);
        assertEquals("1", value(combined.get(2), "physical id"), "the prometheus host's package 0 comes after the local one");
        // only processor 10 and 11 grew a digit: nothing else changed, no blank line lost or added
        assertEquals(parts.stream().mapToInt(p -> p.text().length()).sum() + 2, result.text().length());
    }

    @Test
    void malformedPartIsDropped() {
        String[] bad = {"", "vendor_id\t: x\n\n", "processor\t: x\n", "processor\t: 0\nphysical id\t: -1\n", "processor\t: 99999999999999999999\n"};
        for (String text : bad) {
            CombineResult result = combine("cpuinfo", with(cluster("cpuinfo"), new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(12, blocks(result.text()).size());
        }
    }
}
