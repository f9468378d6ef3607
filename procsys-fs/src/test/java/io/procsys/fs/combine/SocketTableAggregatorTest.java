package io.procsys.fs.combine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.part;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketTableAggregatorTest {
    /** Local, prometheus and local again (the first capture: so the same inode is on two hosts). */
    static List<HostPart> hosts(String file) {
        return List.of(part(0, "local-a", file), part(1, "prometheus-procfs", file), part(2, "local-a", file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"net/tcp", "net/tcp6", "net/udp", "net/udp6"})
    void slRenumberedInodesMadeUniqueEverythingElseKept(String file) {
        List<HostPart> parts = hosts(file);
        CombineResult result = combine(file, parts);
        assertDropped(result);
        int[] sl = {0};
        assertRows(result.text(), parts, 1, (part, fields) -> {
            fields.set(0, sl[0]++ + ":");
            fields.set(9, Long.toString(((long) part.index() << 32) + Long.parseLong(fields.get(9))));
            return fields;
        });
        List<String> rows = lines(result.text()).subList(1, lines(result.text()).size());
        Map<String, Integer> hostOfInode = new HashMap<>();
        int row = 0;
        for (HostPart part : parts) {
            for (int r = 1; r < lines(part.text()).size(); r++, row++) {
                Integer other = hostOfInode.putIfAbsent(Hosts.fields(rows.get(row)).get(9), part.index());
                assertTrue(other == null || other == part.index(), "an inode on two hosts: " + rows.get(row));
            }
        }
        // byte for byte: only sl and inode changed
        List<String> originals = new ArrayList<>();
        parts.forEach(p -> originals.addAll(lines(p.text()).subList(1, lines(p.text()).size())));
        for (int i = 0; i < rows.size(); i++) {
            String inodeOf = Hosts.fields(originals.get(i)).get(9);
            String tailOriginal = originals.get(i).substring(originals.get(i).indexOf(':') + 1);
            String tailCombined = rows.get(i).substring(rows.get(i).indexOf(':') + 1);
            String encoded = Hosts.fields(rows.get(i)).get(9);
            assertEquals(tailOriginal.replaceFirst(" " + inodeOf + " ", " " + encoded + " "), tailCombined);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"net/tcp", "net/udp"})
    void slKeepsTheKernelsRightAlignment(String file) {
        String row = lines(combine(file, hosts(file)).text()).get(3);
        assertTrue(row.startsWith("   2: "), row);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "  sl  local_address rem_address   st\n   1: 00000000:0016 00000000:0000 0A\n", // the udp_broken fixture's shape
            "  sl  local_address\n   0: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 4294967296 1 x\n",
            "  sl  local_address\n   0: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 -1 1 x\n",
            "  sl  local_address\n   x: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 1 1 x\n",
            "  sl  local_address\n   0  0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 1 1 x\n",
            "   0: 0500000A:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 1 1 x\n",
    })
    void malformedPartIsDropped(String text) {
        CombineResult result = combine("net/tcp", with(hosts("net/tcp"), new HostPart("bad", 3, text)));
        assertDropped(result, 3);
        assertEquals(combine("net/tcp", hosts("net/tcp")).text(), result.text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"net/udp", "net/udp6"})
    void theBrokenUdpFixtureIsDropped(String file) {
        CombineResult result = combine(file, with(hosts(file), part(3, "prometheus-procfs", "net/udp_broken")));
        assertDropped(result, 3);
    }
}
