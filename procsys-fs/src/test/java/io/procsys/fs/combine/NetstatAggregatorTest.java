package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.localCluster;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.SnmpAggregatorTest.counters;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NetstatAggregatorTest {
    @Test
    void everyCounterIsSummed() {
        List<HostPart> parts = localCluster("net/netstat");
        CombineResult result = combine("net/netstat", parts);
        assertDropped(result);
        Map<String, Long> combined = counters(result.text());
        assertEquals(counters(parts.get(0).text()).keySet(), combined.keySet());
        combined.forEach((counter, value) ->
                assertEquals(parts.stream().mapToLong(p -> counters(p.text()).get(counter)).sum(), value, counter));
    }

    @Test
    void anOverflowingCounterDropsItsPart() {
        HostPart big = new HostPart("big", 3, "TcpExt: TW\nTcpExt: " + Long.MAX_VALUE + "\n");
        CombineResult result = combine("net/netstat", with(localCluster("net/netstat"), big));
        assertDropped(result, 3);
    }
}
