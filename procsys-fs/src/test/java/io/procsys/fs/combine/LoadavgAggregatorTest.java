package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LoadavgAggregatorTest {
    static String expected(List<HostPart> parts) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            int load = i;
            text.append(parts.stream().map(p -> new BigDecimal(fields(p.text()).get(load))).reduce(BigDecimal::add).orElseThrow()).append(' ');
        }
        long running = parts.stream().mapToLong(p -> Long.parseLong(fields(p.text()).get(3).split("/")[0])).sum();
        long threads = parts.stream().mapToLong(p -> Long.parseLong(fields(p.text()).get(3).split("/")[1])).sum();
        int lastPid = parts.stream().filter(HostPart::isLocal).mapToInt(p -> Integer.parseInt(fields(p.text()).get(4))).findFirst().orElse(0);
        return text + "" + running + "/" + threads + " " + lastPid + "\n";
    }

    @Test
    void loadsAndTasksAreSummedLastPidIsThisHosts() {
        List<HostPart> parts = cluster("loadavg");
        CombineResult result = combine("loadavg", parts);
        assertDropped(result);
        assertEquals(expected(parts), result.text());
        assertEquals("1.50 0.10 2.00 3/30 300\n", combine("loadavg", List.of(
                new HostPart("a", 0, "1.25 0.05 1.00 1/10 300\n"), new HostPart("b", 1, "0.25 0.05 1.00 2/20 4000000\n"))).text(),
                "a remote host's larger last pid is no cluster pid: this host's is shown");
    }

    @Test
    void malformedPartIsDropped() {
        String[] bad = {"", "0.1 0.20 0.30 1/2 3\n", "0.10 0.20 0.30 1-2 3\n", "0.10 0.20 0.30 1/2/3 3\n",
                "0.10 0.20 0.30 1/2 4194304\n", "0.10 0.20 0.30 1/2\n", "0.10 0.20 0.30 1/x 3\n"};
        List<HostPart> good = cluster("loadavg");
        for (String text : bad) {
            CombineResult result = combine("loadavg", with(good, new HostPart("bad", 3, text)));
            assertDropped(result, 3);
            assertEquals(expected(good), result.text(), text);
        }
    }
}
