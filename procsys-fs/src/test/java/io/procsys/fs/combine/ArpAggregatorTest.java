package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static io.procsys.fs.combine.Tables.replaced;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpAggregatorTest {
    @Test
    void everyHostsNeighboursDeviceRenamed() {
        List<HostPart> parts = cluster("net/arp");
        CombineResult result = combine("net/arp", parts);
        assertDropped(result);
        assertRows(result.text(), parts, 1, (part, fields) -> replaced(fields, 5, InterfaceNames.forHost(part.index(), fields.get(5))));
        assertTrue(lines(result.text()).contains("192.168.224.1    0x1         0x2         00:50:56:c0:00:08     *        h1-ens33"));
    }

    @Test
    void malformedPartIsDropped() {
        String header = "IP address       HW type     Flags       HW address            Mask     Device\n";
        String[] bad = {"", header + "192.168.224.1    0x1         0x2         00:50:56:c0:00:08     *\n",
                header + "192.168.224.1    0x1         0x2         00:50:56:c0:00:08     *        eth0 extra\n",
                "IP address HW type\n"};
        for (String text : bad) {
            assertDropped(combine("net/arp", with(cluster("net/arp"), new HostPart("bad", 3, text))), 3);
        }
    }
}
