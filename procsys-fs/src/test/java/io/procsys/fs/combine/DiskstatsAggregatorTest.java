package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static io.procsys.fs.combine.Tables.replaced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskstatsAggregatorTest {
    @Test
    void everyHostsDisksRemoteOnesRenamedFieldCountsKept() {
        List<HostPart> parts = cluster("diskstats");
        CombineResult result = combine("diskstats", parts);
        assertDropped(result);
        assertRows(result.text(), parts, 0, (part, fields) -> replaced(fields, 2, InterfaceNames.forHost(part.index(), fields.get(2))));
        Set<Integer> counts = Set.copyOf(lines(result.text()).stream().map(l -> fields(l).size()).toList());
        assertEquals(Set.of(14, 18, 20), counts, "the prometheus host has all three layouts");
        assertTrue(lines(result.text()).contains("   1       0 h1-ram0 0 0 0 0 0 0 0 0 0 0 0"));
    }

    @Test
    void malformedPartIsDropped() {
        String row = "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11";
        String[] bad = {row + " 12\n", row + " x 13 14 15 16 17\n", "   8       0 sda 1 2 3\n", row.replace(" 5 ", " -5 ") + "\n"};
        for (String text : bad) {
            CombineResult result = combine("diskstats", with(cluster("diskstats"), new HostPart("bad", 3, text)));
            assertDropped(result, 3);
        }
        assertDropped(combine("diskstats", with(cluster("diskstats"), new HostPart("good", 3, row + "\n"))));
        // no header, so an empty file is a host without disks, not a malformed part
        assertDropped(combine("diskstats", with(cluster("diskstats"), new HostPart("diskless", 3, ""))));
    }
}
