package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.localCluster;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static io.procsys.fs.combine.Tables.replaced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteAggregatorTest {
    @Test
    void everyHostsRoutesWithElevenColumnsIfaceRenamed() {
        List<HostPart> parts = localCluster("net/route");
        CombineResult result = combine("net/route", parts);
        assertDropped(result);
        assertRows(result.text(), parts, 1, (part, fields) -> replaced(fields, 0, InterfaceNames.forHost(part.index(), fields.get(0))));
        for (String row : lines(result.text())) {
            assertEquals(11, fields(row).size(), row);
        }
        assertTrue(lines(result.text()).get(3).startsWith("h1-eth0\t00000000\t"), "tab separated as the kernel prints");
    }

    @Test
    void malformedPartIsDropped() {
        String header = lines(localCluster("net/route").getFirst().text()).getFirst() + "\n";
        String[] bad = {"", header + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\n",
                header + "eth0 00000000 010200C0 0003 0 0 0 00000000 0 0 0 0\n",
                "Iface\tGateway\tDestination\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"};
        for (String text : bad) {
            assertDropped(combine("net/route", with(localCluster("net/route"), new HostPart("bad", 3, text))), 3);
        }
    }
}
