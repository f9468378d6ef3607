package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.procsys.fs.combine.Hosts.assertDropped;
import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static io.procsys.fs.combine.Hosts.lines;
import static io.procsys.fs.combine.Hosts.part;
import static io.procsys.fs.combine.Hosts.with;
import static io.procsys.fs.combine.Tables.assertRows;
import static io.procsys.fs.combine.Tables.replaced;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UnixSocketsAggregatorTest {
    @Test
    void numKeptInodesMadeUnique() {
        List<HostPart> parts = cluster("net/unix");
        CombineResult result = combine("net/unix", parts);
        assertDropped(result);
        assertRows(result.text(), parts, 1, (part, fields) ->
                replaced(fields, 6, Long.toString(part.index() * (1L << 32) + Long.parseLong(fields.get(6)))));
    }

    @Test
    void theFixtureWithoutInodeColumnIsDropped() {
        CombineResult result = combine("net/unix", with(cluster("net/unix"), part(3, "prometheus-procfs", "net/unix_without_inode")));
        assertDropped(result, 3);
        assertEquals(combine("net/unix", cluster("net/unix")).text(), result.text());
        // also when it comes first: the usable parts' header is used
        CombineResult first = combine("net/unix", List.of(part(0, "prometheus-procfs", "net/unix_without_inode"), part(1, "local-a", "net/unix")));
        assertDropped(first, 0);
        assertEquals(lines(Hosts.read("local-a", "net/unix")).getFirst(), lines(first.text()).getFirst());
    }

    @Test
    void malformedPartIsDropped() {
        String header = "Num       RefCount Protocol Flags    Type St Inode Path\n";
        String[] bad = {"", header + "0000000000000000: 00000002 00000000 00010000 0001 01\n",
                header + "0000000000000000 00000002 00000000 00010000 0001 01 12 /x\n",
                header + "0000000000000000: 00000002 00000000 00010000 0001 01 x /x\n"};
        for (String text : bad) {
            assertDropped(combine("net/unix", with(cluster("net/unix"), new HostPart("bad", 3, text))), 3);
        }
    }
}
