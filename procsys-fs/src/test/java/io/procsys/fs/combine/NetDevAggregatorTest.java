package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetDevAggregatorTest {
    /** A row split like ifconfig and node_exporter do: name before the last ':', counters after. */
    static String name(String row) {
        return row.substring(0, row.lastIndexOf(':')).strip();
    }

    static String counters(String row) {
        return row.substring(row.lastIndexOf(':'));
    }

    @Test
    void everyHostsInterfacesRemoteOnesRenamedCountersUnchanged() {
        List<HostPart> parts = cluster("net/dev");
        CombineResult result = combine("net/dev", parts);
        assertDropped(result);
        List<String> out = lines(result.text());
        assertEquals(lines(parts.getFirst().text()).subList(0, 2), out.subList(0, 2));
        List<String> expected = new ArrayList<>();
        for (HostPart part : parts) {
            for (String row : lines(part.text()).subList(2, lines(part.text()).size())) {
                expected.add(InterfaceNames.forHost(part.index(), name(row)) + counters(row));
            }
        }
        assertEquals(expected, out.subList(2, out.size()).stream().map(r -> name(r) + counters(r)).toList());
        for (String row : out.subList(2, out.size())) {
            assertTrue(row.lastIndexOf(':') >= 6 && InterfaceNames.isAcceptable(name(row)), "%6s: style: " + row);
        }
        assertTrue(out.contains(" h1-lo" + counters(lines(parts.get(1).text()).get(3))), "right-aligned like the kernel");
    }

    @Test
    void malformedPartIsDropped() {
        String header = lines(cluster("net/dev").getFirst().text()).subList(0, 2).stream().map(l -> l + "\n").reduce("", String::concat);
        String[] bad = {"", header + "  eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", header + "  eth0: 1 2 3\n",
                header + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", header + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n",
                "Inter-| Receive\n" + header};
        for (String text : bad) {
            CombineResult result = combine("net/dev", with(cluster("net/dev"), new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(2 + 4 + 4 + 4, lines(result.text()).size());
        }
    }
}
