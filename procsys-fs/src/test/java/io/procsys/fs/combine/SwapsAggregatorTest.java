package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.read;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static io.procsys.fs.combine.Tables.replaced;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SwapsAggregatorTest {
    static final String LOCAL_SWAPS = read("local-a", "swaps") + "/swap.img                               file\t\t1024\t\t0\t\t-2\n";

    @Test
    void everyHostsAreasRemoteOnesPrefixedWithTheirHost() {
        List<HostPart> parts = List.of(new HostPart("local", 0, LOCAL_SWAPS), cluster("swaps").get(1), cluster("swaps").get(2));
        CombineResult result = combine("swaps", parts);
        assertDropped(result);
        assertRows(result.text(), parts, 1, (part, fields) ->
                part.isLocal() ? fields : replaced(fields, 0, "h" + part.index() + ":" + fields.get(0)));
        String remote = lines(result.text()).get(2);
        assertEquals(lines(parts.get(1).text()).get(1).indexOf("partition"), remote.indexOf("partition"), "Type column stays aligned: " + remote);
    }

    @Test
    void malformedPartIsDropped() {
        String header = "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n";
        String[] bad = {"", "/dev/sda2 partition 1 2 3\n", header + "/dev/sda2 partition 1 2\n", header + "/dev/sda2 partition x 2 3\n",
                header + "/dev/sda2 partition 1 2 3 4\n", "Filename Type Size\n"};
        for (String text : bad) {
            CombineResult result = combine("swaps", with(cluster("swaps"), new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(2, lines(result.text()).size());
        }
    }
}
