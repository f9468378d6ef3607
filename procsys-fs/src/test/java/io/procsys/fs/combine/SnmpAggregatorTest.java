package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.localCluster;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnmpAggregatorTest {
    static final Set<String> SETTINGS = Set.of("Ip:Forwarding", "Ip:DefaultTTL", "Tcp:RtoAlgorithm", "Tcp:RtoMin", "Tcp:RtoMax", "Tcp:MaxConn");

    /** "Prefix:Name" -> value, from the pairs of lines. */
    static Map<String, Long> counters(String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        List<String> lines = lines(text);
        for (int i = 0; i < lines.size(); i += 2) {
            List<String> names = fields(lines.get(i));
            List<String> values = fields(lines.get(i + 1));
            for (int f = 1; f < names.size(); f++) {
                counters.put(names.get(0) + names.get(f), Long.parseLong(values.get(f)));
            }
        }
        return counters;
    }

    @Test
    void countersAndGaugesSumSettingsAreKept() {
        List<HostPart> parts = localCluster("net/snmp");
        CombineResult result = combine("net/snmp", parts);
        assertDropped(result);
        Map<String, Long> combined = counters(result.text());
        assertEquals(counters(parts.get(0).text()).keySet(), combined.keySet());
        combined.forEach((counter, value) -> {
            long expected = SETTINGS.contains(counter)
                    ? counters(parts.get(0).text()).get(counter)
                    : parts.stream().mapToLong(p -> counters(p.text()).get(counter)).sum();
            assertEquals(expected, value, counter);
        });
        assertEquals(-1L, combined.get("Tcp:MaxConn"));
    }

    @Test
    void namesOnlySomeHostsHaveAreCombinedOverThoseAndDifferingSettingsNoted() {
        HostPart a = new HostPart("a", 0, "Tcp: RtoMin CurrEstab\nTcp: 200 3\nIcmpMsg: InType3\nIcmpMsg: 1\n");
        HostPart b = new HostPart("b", 1, "Tcp: RtoMin CurrEstab\nTcp: 100 4\nIcmpMsg: InType0 InType3\nIcmpMsg: 7 2\n");
        CombineResult result = combine("net/snmp", List.of(a, b));
        assertEquals("Tcp: RtoMin CurrEstab\nTcp: 200 7\nIcmpMsg: InType3 InType0\nIcmpMsg: 3 7\n", result.text());
        assertTrue(result.notes().getFirst().contains("RtoMin"), result.notes()::toString);
    }

    @Test
    void malformedPartIsDropped() {
        String[] bad = {"", "Tcp: A B\n", "Tcp: A B\nTcp: 1\n", "Tcp: A\nUdp: 1\n", "Tcp: A\nTcp: x\n", "Tcp: A\nTcp: 1\nUdp: B\n"};
        for (String text : bad) {
            CombineResult result = combine("net/snmp", with(localCluster("net/snmp"), new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(counters(combine("net/snmp", localCluster("net/snmp")).text()), counters(result.text()), text);
        }
    }
}
