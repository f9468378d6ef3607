package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which remote disks a /sys/block view adds for iostat. */
class SysBlockViewTest {
    @Test
    void remoteWholeDisksWithoutPartitionsOrLocalOnes() {
        String diskstats = """
                 253       0 vda 1 2 3 4 5 6 7 8 9 10 11
                 253       1 vda1 1 2 3 4 5 6 7 8 9 10 11
                   8       0 h1-sda 1 2 3 4 5 6 7 8 9 10 11
                   8       1 h1-sda1 1 2 3 4 5 6 7 8 9 10 11
                 259       0 h2-nvme0n1 1 2 3 4 5 6 7 8 9 10 11
                 259       1 h2-nvme0n1p2 1 2 3 4 5 6 7 8 9 10 11
                   7       0 h2-loop0 1 2 3 4 5 6 7 8 9 10 11
                """;
        var devices = SysBlockView.remoteDevices(diskstats, Set.of("vda"));
        assertEquals(List.of("h1-sda", "h2-nvme0n1", "h2-loop0"), List.copyOf(devices.keySet()));
        assertEquals("1 2 3 4 5 6 7 8 9 10 11\n", devices.get("h1-sda"));
    }

    @Test
    void theFixtureClusterListsItsRemoteDisks() {
        var devices = SysBlockView.remoteDevices(combine("diskstats", cluster("diskstats")).text(), Set.of("vda")).keySet();
        assertTrue(devices.contains("h1-sda") && devices.stream().anyMatch(d -> d.startsWith("h2-")), devices.toString());
        assertTrue(devices.stream().noneMatch(d -> d.equals("h1-sda1")), devices.toString());
    }
}
