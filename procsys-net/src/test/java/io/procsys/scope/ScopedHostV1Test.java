package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scope's files on v1 and hybrid hosts: the cgroup captured on this machine kind
 * (data/scopes/v1-hybrid: 300 MiB, 50 % of a CPU, two sleepers and a busy loop, one sleeper
 * since moved out of the systemd and unified hierarchies), and v1 hosts made around it.
 */
class ScopedHostV1Test {
    static final String SPEC = "/procsys-manual-38/web";

    @Test
    void theCapturedCgroup() throws Exception {
        try (CgroupFixture f = CgroupFixture.captured("v1-hybrid")) {
            ScopedHost web = f.scope(SPEC);
            assertEquals(new ScopeState(ScopeState.Outcome.PRESENT, "hybrid", List.of("0::" + SPEC), 2, ""), web.state(),
                    "found in the unified hierarchy; the moved sleeper is no member");
            assertEquals(307200, ScopedMemory.hostValue(web.render("meminfo"), "MemTotal"));
            assertEquals(307200 - 532480 / 1024, ScopedMemory.hostValue(web.render("meminfo"), "MemFree"), "usage_in_bytes");
            assertEquals(320, ScopedMemory.hostValue(web.render("meminfo"), "AnonPages"), "total_rss");
            assertEquals(1, web.render("cpuinfo").lines().filter(l -> l.startsWith("processor")).count());
            String[] cpu = web.render("stat").lines().findFirst().orElseThrow().split("\\s+");
            assertEquals(List.of("cpu", "20428", "0", "52"), List.of(cpu).subList(0, 4), "cpuacct.stat, already in ticks");
            assertEquals("1.00 1.00 1.00 1/2 20376", web.render("loadavg").trim(), "the busy loop runs; the sleepers sleep");
            assertTrue(web.render("uptime").startsWith("4990.44 "));
            assertEquals("", web.render("diskstats"), "blkio.throttle counted nothing (no rule on the device)");
            assertTrue(web.visible(20376) && !web.visible(20375) && !web.visible(1));
        }
    }

    /** A v1 host without systemd: a controller's cgroup named as CONTROLLER:/PATH. */
    static CgroupFixture job() {
        return CgroupFixture.create()
                .cgroup("memory/batch/job42/cgroup.procs", "201\n")
                .cgroup("memory/batch/job42/tasks", "201\n202\n")
                .cgroup("memory/batch/job42/memory.limit_in_bytes", "9223372036854771712\n")
                .cgroup("memory/batch/job42/memory.usage_in_bytes", "1048576\n")
                .cgroup("memory/batch/job42/memory.memsw.limit_in_bytes", "9223372036854771712\n")
                .cgroup("memory/batch/job42/memory.memsw.usage_in_bytes", "1048576\n")
                .cgroup("memory/batch/job42/memory.stat", "total_cache 0\ntotal_rss 1048576\nhierarchical_memory_limit 9223372036854771712\n"
                        + "hierarchical_memsw_limit 9223372036854771712\n")
                .cgroup("memory/memory.limit_in_bytes", "9223372036854771712\n")
                .cgroup("cpu/batch/job42/cpu.cfs_quota_us", "-1\n")
                .cgroup("cpu/batch/job42/cpu.cfs_period_us", "100000\n")
                .cgroup("cpuacct/batch/job42/cpuacct.stat", "user 700\nsystem 300\n")
                .cgroup("cpuset/batch/job42/cpuset.effective_cpus", "0-1\n")
                .cgroup("blkio/batch/job42/blkio.throttle.io_serviced_recursive", "254:0 Read 2\n254:0 Write 40\n254:0 Sync 42\n254:0 Async 0\n"
                        + "254:0 Discard 0\n254:0 Total 42\nTotal 42\n")
                .cgroup("blkio/batch/job42/blkio.throttle.io_service_bytes_recursive", "254:0 Read 8192\n254:0 Write 20971520\n254:0 Sync 0\n"
                        + "254:0 Async 0\n254:0 Discard 0\n254:0 Total 20979712\nTotal 20979712\n")
                .process(201, "4:memory:/batch/job42\n3:cpuset:/batch/job42\n2:cpuacct:/batch/job42\n1:cpu:/batch/job42\n7:blkio:/batch/job42\n", 'R')
                .process(202, "4:memory:/batch/job42\n3:cpuset:/batch/job42\n2:cpuacct:/batch/job42\n1:cpu:/batch/job42\n7:blkio:/batch/job42\n", 'R');
    }

    @Test
    void unlimitedIsTheHostsAndNoQuotaIsTheCpuset() throws Exception {
        try (CgroupFixture f = job()) {
            ScopedHost job = f.scope("memory:/batch/job42");
            String hostMeminfo = Files.readString(f.dir.resolve("proc/meminfo"));
            assertEquals(ScopedMemory.hostValue(hostMeminfo, "MemTotal"), ScopedMemory.hostValue(job.render("meminfo"), "MemTotal"));
            assertEquals(2, job.render("cpuinfo").lines().filter(l -> l.startsWith("processor")).count(), "no quota: the cpuset's two CPUs");
            String[] cpu = job.render("stat").lines().findFirst().orElseThrow().split("\\s+");
            assertEquals(List.of("cpu", "700", "0", "300"), List.of(cpu).subList(0, 4));
            assertEquals(List.of("254", "0", "vda", "2", "0", "16", "0", "40", "0", "40960"), List.of(job.render("diskstats").trim().split("\\s+")).subList(0, 10),
                    "blkio.throttle: requests, and bytes as sectors");
            assertEquals("2.00 2.00 2.00 2/2 202", job.render("loadavg").trim(), "threads from tasks");
        }
    }

    @Test
    void memswIsRamPlusSwap() throws Exception {
        String hostMeminfo = "MemTotal:       24683784 kB\nSwapTotal:       1048572 kB\nSwapFree:        1048572 kB\n";
        try (CgroupFixture f = job().proc("meminfo", hostMeminfo)) {
            assertEquals(1048572, ScopedMemory.hostValue(f.scope("memory:/batch/job42").render("meminfo"), "SwapTotal"), "memsw unlimited: the host's swap");
        }
        try (CgroupFixture f = job().proc("meminfo", hostMeminfo)
                .cgroup("memory/batch/job42/memory.limit_in_bytes", "314572800\n")
                .cgroup("memory/batch/job42/memory.memsw.limit_in_bytes", "419430400\n")
                .cgroup("memory/batch/job42/memory.memsw.usage_in_bytes", "3145728\n")) {
            String m = f.scope("memory:/batch/job42").render("meminfo");
            assertEquals(307200, ScopedMemory.hostValue(m, "MemTotal"));
            assertEquals(102400, ScopedMemory.hostValue(m, "SwapTotal"), "memsw limit less the memory limit");
            assertEquals(102400 - 2048, ScopedMemory.hostValue(m, "SwapFree"), "memsw usage less memory usage");
        }
    }

    /** systemd on v1 makes a unit's cgroup only in the controllers it accounts: usage of an ancestor is never shown as the scope's. */
    @Test
    void aControllerCgroupAboveTheScopeGivesNoUsage() throws Exception {
        try (CgroupFixture f = job()
                .cgroup("systemd/system.slice/web.service/cgroup.procs", "301\n")
                .cgroup("systemd/system.slice/web.service/tasks", "301\n")
                .cgroup("memory/system.slice/memory.limit_in_bytes", "1073741824\n")
                .cgroup("memory/system.slice/memory.usage_in_bytes", "734003200\n")
                .cgroup("cpuacct/system.slice/web.service/cpuacct.stat", "user 5\nsystem 1\n")
                .process(301, "9:name=systemd:/system.slice/web.service\n4:memory:/system.slice\n2:cpuacct:/system.slice/web.service\n", 'S')) {
            ScopedHost web = f.scope("web.service");
            ErrnoException e = assertThrows(ErrnoException.class, () -> web.render("meminfo"));
            assertEquals(Errno.ENODATA, e.errno());
            assertTrue(e.getMessage().contains("/system.slice"), e.getMessage());
            assertTrue(web.state().detail().contains("meminfo, swaps left out"), web.state().detail());
            assertEquals(List.of("cpu", "5", "0", "1"), List.of(web.render("stat").lines().findFirst().orElseThrow().split("\\s+")).subList(0, 4),
                    "its own cpuacct cgroup is read");
        }
    }
}
