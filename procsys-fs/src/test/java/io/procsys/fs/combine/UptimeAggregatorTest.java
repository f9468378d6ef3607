package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.localCluster;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UptimeAggregatorTest {
    static BigDecimal field(HostPart part, int i) {
        return new BigDecimal(fields(part.text()).get(i));
    }

    static String expected(List<HostPart> parts) {
        BigDecimal up = parts.stream().map(p -> field(p, 0)).reduce(BigDecimal::max).orElseThrow();
        BigDecimal idle = parts.stream().map(p -> field(p, 1)).reduce(BigDecimal::add).orElseThrow();
        return up.toPlainString() + " " + idle.toPlainString() + "\n";
    }

    @Test
    void uptimeIsTheLargestAndIdleTheSum() {
        List<HostPart> parts = localCluster("uptime");
        CombineResult result = combine("uptime", parts);
        assertDropped(result);
        assertEquals(expected(parts), result.text());
        assertEquals("12.05 3.50\n", combine("uptime", List.of(
                new HostPart("a", 0, "10.00 1.25\n"), new HostPart("b", 1, "12.05 2.25\n"))).text());
    }

    @Test
    void malformedPartIsDropped() {
        String[] bad = {"", "1.00\n", "1.00 2.00 3.00\n", "1.0 2.00\n", "1,00 2.00\n", "-1.00 2.00\n", "1.00 x.00\n",
                "1.00 2.00\n3.00 4.00\n", "99999999999999999.00 1.00\n", "1.00 92233720368547758.07\n"};
        List<HostPart> good = localCluster("uptime");
        for (String text : bad) {
            CombineResult result = combine("uptime", with(good, new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(expected(good), result.text(), text);
        }
    }
}
