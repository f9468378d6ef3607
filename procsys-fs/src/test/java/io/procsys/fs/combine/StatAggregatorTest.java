package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.sum;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatAggregatorTest {
    static long[] numbers(String text, String name) {
        return lines(text).stream().filter(l -> fields(l).get(0).equals(name)).findFirst()
                .map(l -> fields(l).stream().skip(1).mapToLong(Long::parseLong).toArray()).orElse(new long[0]);
    }

    static List<String> cpuLines(String text) {
        return lines(text).stream().filter(l -> l.matches("cpu[0-9]+ .*")).toList();
    }

    @Test
    void cpuTotalsSumAndEveryCpuFollowsRenumbered() {
        List<HostPart> parts = cluster("stat");
        CombineResult result = combine("stat", parts);
        assertDropped(result);
        List<String> out = lines(result.text());
        long[] cpu = numbers(result.text(), "cpu");
        for (int c = 0; c < 10; c++) {
            int column = c;
            assertEquals(sum(parts, p -> numbers(p.text(), "cpu")[column]), cpu[column], "cpu column " + c);
        }
        int cpus = parts.stream().mapToInt(p -> cpuLines(p.text()).size()).sum();
        assertEquals(2 + 8 + 2, cpus);
        assertTrue(out.get(0).startsWith("cpu  "), "the kernel's two blanks after cpu");
        int n = 0;
        for (HostPart part : parts) {
            for (String line : cpuLines(part.text())) {
                String expected = "cpu" + n + line.substring(line.indexOf(' '));
                assertEquals(expected, out.get(1 + n), "cpuN right after cpu, densely numbered");
                n++;
            }
        }
    }

    @Test
    void countersSumPositionwiseAndBtimeIsTheLocalHosts() {
        List<HostPart> parts = cluster("stat");
        String text = combine("stat", parts).text();
        for (String name : List.of("ctxt", "processes", "procs_running", "procs_blocked")) {
            assertArrayEquals(new long[] {sum(parts, p -> numbers(p.text(), name)[0])}, numbers(text, name), name);
        }
        assertArrayEquals(new long[] {sum(parts, p -> numbers(p.text(), "intr")[0])}, numbers(text, "intr"), "intr: the total alone");
        for (String name : List.of("softirq")) {
            long[] combined = numbers(text, name);
            List<long[]> hostValues = parts.stream().map(p -> numbers(p.text(), name)).toList();
            long[] expected = new long[hostValues.stream().mapToInt(v -> v.length).max().orElseThrow()];
            for (long[] values : hostValues) {
                for (int i = 0; i < values.length; i++) {
                    expected[i] += values[i];
                }
            }
            assertArrayEquals(expected, combined, name);
        }
        assertArrayEquals(numbers(parts.get(0).text(), "btime"), numbers(text, "btime"));
        List<String> order = lines(text).stream().map(l -> fields(l).get(0)).filter(f -> !f.startsWith("cpu")).toList();
        assertEquals(List.of("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked", "softirq"), order);
    }

    @Test
    void cpuLinesKeepTheColumnsEveryHostHasPaddedToEight() {
        HostPart a = new HostPart("a", 0, "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nbtime 100\n");
        HostPart old = new HostPart("old", 1, "cpu  10 20 30 40\ncpu0 10 20 30 40\nbtime 50\nctxt 7\n");
        CombineResult result = combine("stat", List.of(a, old));
        assertEquals("cpu  11 22 33 44 0 0 0 0\ncpu0 1 2 3 4 0 0 0 0\ncpu1 10 20 30 40 0 0 0 0\nbtime 100\nctxt 7\n", result.text());
        assertEquals(1, result.notes().size(), result.notes()::toString);
    }

    @Test
    void withoutTheLocalHostTheFirstHostsBtimeIsUsedAndNoted() {
        HostPart badLocal = new HostPart("local", 0, "cpu  x\nbtime 1\n");
        HostPart remote = new HostPart("r", 1, "cpu  1 2 3 4 5 6 7 8\nbtime 42\n");
        CombineResult result = combine("stat", List.of(badLocal, remote));
        assertDropped(result, 0);
        assertArrayEquals(new long[] {42}, numbers(result.text(), "btime"));
        assertTrue(result.notes().getFirst().contains("btime"));
    }

    @Test
    void malformedPartIsDropped() {
        String max = Long.toString(Long.MAX_VALUE);
        String[] bad = {
                "", "cpu  1 2 3\n", "cpu0 1 2 3 4\ncpu  1 2 3 4\n", "cpu  1 2 3 4\ncpu0 1 2 3\n",
                "cpu  1 2 3 4\nctxt\n", "cpu  1 2 3 4\nctxt 1\nctxt 2\n", "cpu  1 2 3 4\nbtime 1 2\n",
                "cpu  1 2 3 4\nctxt 18446744073709551615\n", "cpu  1 2 3 4\nctxt " + max + "\n",
                "cpu  1 2 3 4\n\u0080\u00ff x\n",
        };
        List<HostPart> good = cluster("stat");
        for (String text : bad) {
            CombineResult result = combine("stat", with(good, new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(sum(good, p -> numbers(p.text(), "ctxt")[0]), numbers(result.text(), "ctxt")[0], text);
        }
    }
}
