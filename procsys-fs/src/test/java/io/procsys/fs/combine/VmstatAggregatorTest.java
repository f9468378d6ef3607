package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.localCluster;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

class VmstatAggregatorTest {
    static long valueOf(String text, String key) {
        return lines(text).stream().filter(l -> fields(l).get(0).equals(key)).mapToLong(l -> Long.parseLong(fields(l).get(1))).sum();
    }

    @Test
    void everyCounterIsSummedInTheFirstHostsOrder() {
        List<HostPart> parts = localCluster("vmstat");
        CombineResult result = combine("vmstat", parts);
        assertDropped(result);
        List<String> combined = lines(result.text());
        List<String> first = lines(parts.get(0).text());
        assertEquals(first.size(), combined.size());
        for (int i = 0; i < first.size(); i++) {
            String key = fields(first.get(i)).get(0);
            long expected = parts.stream().mapToLong(p -> valueOf(p.text(), key)).sum();
            assertEquals(key + " " + expected, combined.get(i), "plain 'key value' lines");
        }
    }

    @Test
    void malformedPartIsDropped() {
        for (String bad : List.of("", "pgpgin\n", "pgpgin 1 2\n", "pgpgin: 1\n", "pgpgin 0x10\n")) {
            CombineResult result = combine("vmstat", with(localCluster("vmstat"), new HostPart("bad", 3, bad)));
            assertDropped(result, 3);
            assertEquals(lines(localCluster("vmstat").get(0).text()).size(), lines(result.text()).size());
        }
    }
}
