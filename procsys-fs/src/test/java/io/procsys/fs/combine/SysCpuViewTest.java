package io.procsys.fs.combine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.procsys.fs.combine.Hosts.cluster;
import static io.procsys.fs.combine.Hosts.combine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /sys CPU view of the fixture cluster: 2 + 8 + 2 CPUs, three hosts' packages kept apart. */
class SysCpuViewTest {
    static Map<String, String> view() {
        return SysCpuView.files(combine("cpuinfo", cluster("cpuinfo")).text(), combine("stat", cluster("stat")).text());
    }

    @Test
    void countsAreTheCombinedStatsCpus() {
        Map<String, String> files = view();
        assertEquals("0-11\n", files.get("online"));
        assertEquals("0-11\n", files.get("possible"));
        assertEquals("0-11\n", files.get("present"));
        assertEquals("\n", files.get("offline"));
        assertEquals("8191\n", files.get("kernel_max"));
        assertEquals("1\n", files.get("cpu11/online"));
        assertFalse(files.containsKey("cpu12/online"));
    }

    @Test
    void topologyFollowsTheCombinedCpuinfo() {
        Map<String, String> files = view();
        // host 0 (2 CPUs, package 0), host 1 (8 CPUs = 4 cores × 2 threads, package 1), host 2 (package 2)
        assertEquals("0\n", files.get("cpu1/topology/physical_package_id"));
        assertEquals("1\n", files.get("cpu2/topology/physical_package_id"));
        assertEquals("1\n", files.get("cpu9/topology/physical_package_id"));
        assertEquals("2\n", files.get("cpu10/topology/physical_package_id"));
        assertEquals("2-9\n", files.get("cpu5/topology/core_siblings_list"));
        assertEquals("000003fc\n", files.get("cpu5/topology/package_cpus"));
        // the prometheus host's core 0 has CPUs 0 and 4 of its own: 2 and 6 in the cluster
        assertEquals("2,6\n", files.get("cpu2/topology/thread_siblings_list"));
        assertEquals("00000044\n", files.get("cpu6/topology/core_cpus"));
        assertEquals("0\n", files.get("cpu0/topology/thread_siblings_list"));
    }

    @Test
    void disagreeingFilesStillGiveTheStatsCount() {
        Map<String, String> files = SysCpuView.files("processor : 0\n", "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\ncpu2 0 0 0 0\n");
        assertEquals("0-2\n", files.get("online"));
        assertEquals("2\n", files.get("cpu2/topology/core_id"));
        assertEquals("0-2\n", files.get("cpu2/topology/package_cpus_list"));
    }

    @Test
    void masksSpanWordsAsTheKernelPrintsThem() {
        assertEquals("00000001,00000000\n", SysCpuView.mask(List.of(32), 40));
        assertEquals("0-3,8,10-11\n", SysCpuView.list(List.of(0, 1, 2, 3, 8, 10, 11)));
    }

    @Test
    void aHostClaimingMoreCpusThanLinuxIsLeftOut() {
        StringBuilder huge = new StringBuilder();
        for (int i = 0; i < 100_000; i++) huge.append("processor\t: ").append(i).append("\n\n");
        List<HostPart> parts = List.of(Hosts.part(0, "local-a", "cpuinfo"), new HostPart("liar", 1, huge.toString()));
        CombineResult result = combine("cpuinfo", parts);
        assertEquals(2, result.text().lines().filter(l -> l.startsWith("processor")).count(), "the liar is dropped");
        StringBuilder stat = new StringBuilder("cpu  1 2 3 4\n");
        for (int i = 0; i < 100_000; i++) stat.append("cpu").append(i).append(" 1 2 3 4\n");
        CombineResult stats = combine("stat", List.of(Hosts.part(0, "local-a", "stat"), new HostPart("liar", 1, stat.toString())));
        assertTrue(stats.text().contains("cpu1 ") && !stats.text().contains("cpu2 "), "only the local host's 2 CPUs");
    }
}
