package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scope's files on a cgroup v2 host laid out as systemd does (the files written as the kernel
 * writes them): limits on the path, unlimited ones, usage past the limit, fractional quotas,
 * cpusets, io.stat, the members' threads. The host's own files are this machine kind's (2 CPUs,
 * 24683784 kB, no swap).
 */
class ScopedHostV2Test {
    static final long HOST_KB = 24683784;
    static final String WEB = "system.slice/web.service";

    /** web.service: 200 MiB, 50 % of a CPU, 10 MiB used, 2 processes of 3 threads (one running, one in D). */
    static CgroupFixture web() {
        return CgroupFixture.create()
                .cgroup("cgroup.controllers", "cpuset cpu io memory pids\n")
                .cgroup("cpuset.cpus.effective", "0-1\n")
                .cgroup("system.slice/memory.max", "max\n")
                .cgroup("system.slice/cpu.max", "max 100000\n")
                .cgroup(WEB + "/cgroup.procs", "101\n102\n")
                .cgroup(WEB + "/cgroup.threads", "101\n102\n103\n")
                .cgroup(WEB + "/memory.max", "209715200\n")
                .cgroup(WEB + "/memory.current", "10485760\n")
                .cgroup(WEB + "/memory.swap.max", "max\n")
                .cgroup(WEB + "/memory.swap.current", "0\n")
                .cgroup(WEB + "/memory.stat", """
                        anon 4194304
                        file 6291456
                        kernel 262144
                        kernel_stack 32768
                        pagetables 65536
                        sock 0
                        shmem 1048576
                        file_mapped 2097152
                        file_dirty 4096
                        file_writeback 0
                        swapcached 0
                        anon_thp 0
                        inactive_anon 4194304
                        active_anon 0
                        inactive_file 5242880
                        active_file 1048576
                        unevictable 0
                        slab_reclaimable 131072
                        slab_unreclaimable 65536
                        slab 196608
                        """)
                .cgroup(WEB + "/cpu.max", "50000 100000\n")
                .cgroup(WEB + "/cpu.stat", "usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\nnice_usec 0\nnr_periods 20\nnr_throttled 4\nthrottled_usec 100000\n")
                .cgroup(WEB + "/io.stat", "254:0 rbytes=4096 wbytes=52428800 rios=1 wios=50 dbytes=0 dios=0\n8:0 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n")
                .process(101, "0::/system.slice/web.service\n", 'S')
                .process(102, "0::/system.slice/web.service\n", 'R')
                .process(103, "0::/system.slice/web.service\n", 'D')
                .process(1, "0::/init.scope\n", 'S');
    }

    static long kb(String meminfo, String key) {
        return ScopedMemory.hostValue(meminfo, key);
    }

    @Test
    void meminfoIsTheLimitAndMemoryStat() throws Exception {
        try (CgroupFixture f = web()) {
            String m = f.scope("web.service").render("meminfo");
            assertEquals(204800, kb(m, "MemTotal"));
            assertEquals(204800 - 10240, kb(m, "MemFree"));
            assertEquals(204800 - 10240 + 5120 + 1024 + 128, kb(m, "MemAvailable"), "free, the file LRUs and reclaimable slab");
            assertEquals(6144, kb(m, "Cached"));
            assertEquals(4096, kb(m, "AnonPages"));
            assertEquals(1024, kb(m, "Shmem"));
            assertEquals(192, kb(m, "Slab"));
            assertEquals(0, kb(m, "Buffers"));
            assertEquals(0, kb(m, "CommitLimit"), "a host-wide amount no cgroup file tells");
            assertEquals(0, kb(m, "DirectMap4k"));
            assertEquals(kb(java.nio.file.Files.readString(f.dir.resolve("proc/meminfo")), "Hugepagesize"), kb(m, "Hugepagesize"), "a property stays");
            assertEquals(0, kb(m, "SwapTotal"), "no swap on the host: none for the scope");
            assertEquals(java.nio.file.Files.readString(f.dir.resolve("proc/meminfo")).lines().count(), m.lines().count(), "every key of the host's, in its order");
        }
    }

    @Test
    void anUnlimitedScopeHasTheHostsMemoryAndAnAncestorsLimitApplies() throws Exception {
        try (CgroupFixture f = web().cgroup(WEB + "/memory.max", "max\n")) {
            assertEquals(HOST_KB, kb(f.scope("web.service").render("meminfo"), "MemTotal"));
        }
        try (CgroupFixture f = web().cgroup(WEB + "/memory.max", "max\n").cgroup("system.slice/memory.max", "314572800\n")) {
            assertEquals(307200, kb(f.scope("web.service").render("meminfo"), "MemTotal"), "the slice's limit");
        }
    }

    @Test
    void usagePastTheLimitIsNeverNegative() throws Exception {
        try (CgroupFixture f = web().cgroup(WEB + "/memory.current", "314572800\n")) {
            String m = f.scope("web.service").render("meminfo");
            assertEquals(0, kb(m, "MemFree"));
            assertTrue(kb(m, "MemAvailable") <= kb(m, "MemTotal"));
            assertTrue(m.lines().noneMatch(l -> l.contains("-")), m);
        }
    }

    @Test
    void swapIsTheSmallestLimitAtMostTheHosts() throws Exception {
        String hostMeminfo = "MemTotal:       24683784 kB\nMemFree:        19498212 kB\nSwapTotal:       1048572 kB\nSwapFree:        1048572 kB\n";
        try (CgroupFixture f = web().proc("meminfo", hostMeminfo).cgroup(WEB + "/memory.swap.max", "33554432\n").cgroup(WEB + "/memory.swap.current", "1048576\n")) {
            String m = f.scope("web.service").render("meminfo");
            assertEquals(32768, kb(m, "SwapTotal"));
            assertEquals(32768 - 1024, kb(m, "SwapFree"));
            String swaps = f.scope("web.service").render("swaps");
            assertEquals(ScopedMemory.SWAPS_HEADER, swaps.lines().findFirst().orElseThrow() + "\n");
            assertEquals(List.of("none", "virtual", "32768", "1024", "0"), List.of(swaps.lines().toList().get(1).trim().split("\\s+")));
        }
        try (CgroupFixture f = web().proc("meminfo", hostMeminfo)) {
            assertEquals(1048572, kb(f.scope("web.service").render("meminfo"), "SwapTotal"), "unlimited: the host's swap");
        }
        try (CgroupFixture f = web().proc("meminfo", hostMeminfo).delete("cgroup/" + WEB + "/memory.swap.current").delete("cgroup/" + WEB + "/memory.swap.max")) {
            assertEquals(0, kb(f.scope("web.service").render("meminfo"), "SwapTotal"), "no swap accounting: 0");
            assertEquals(ScopedMemory.SWAPS_HEADER, f.scope("web.service").render("swaps"));
        }
    }

    @Test
    void cpusAreTheQuotaRoundedUpWithinTheCpuset() throws Exception {
        try (CgroupFixture f = web()) {
            ScopedHost web = f.scope("web.service");
            assertEquals(1, web.render("cpuinfo").lines().filter(l -> l.startsWith("processor")).count(), "50 %: one CPU");
            assertEquals(List.of("cpu ", "cpu0"), web.render("stat").lines().filter(l -> l.startsWith("cpu")).map(l -> l.substring(0, 4)).toList());
        }
        try (CgroupFixture f = web().cgroup(WEB + "/cpu.max", "150000 100000\n")) {
            String cpuinfo = f.scope("web.service").render("cpuinfo");
            assertEquals(List.of("processor\t: 0", "processor\t: 1"), cpuinfo.lines().filter(l -> l.startsWith("processor")).toList(), "1.5 CPUs: two");
        }
        try (CgroupFixture f = web().cgroup(WEB + "/cpu.max", "max 100000\n").cgroup("system.slice/cpu.max", "100000 100000\n")) {
            assertEquals(1, f.scope("web.service").render("cpuinfo").lines().filter(l -> l.startsWith("processor")).count(), "an ancestor's quota");
        }
        try (CgroupFixture f = web().cgroup(WEB + "/cpu.max", "max 100000\n").cgroup(WEB + "/cpuset.cpus.effective", "1\n")) {
            String cpuinfo = f.scope("web.service").render("cpuinfo");
            assertEquals(List.of("processor\t: 0"), cpuinfo.lines().filter(l -> l.startsWith("processor")).toList());
            assertTrue(cpuinfo.contains("apicid\t\t: 1"), "host CPU 1's block, renumbered: " + cpuinfo);
        }
    }

    @Test
    void statIsTheCgroupsTimeAndThreads() throws Exception {
        try (CgroupFixture f = web()) {
            String stat = f.scope("web.service").render("stat");
            String[] cpu = stat.lines().findFirst().orElseThrow().split("\\s+");
            assertEquals(List.of("cpu", "150", "0", "50"), List.of(cpu).subList(0, 4), "user and system from cpu.stat, in ticks");
            assertEquals(11, cpu.length, "the host's ten columns");
            long idle = Long.parseLong(cpu[4]);
            assertEquals(Math.round(0.5 * 499044) - 200, idle, 1, "the capacity over the host's uptime, less the busy time");
            assertTrue(stat.contains("\nprocs_running 1\n") && stat.contains("\nprocs_blocked 1\n"), stat);
            assertTrue(stat.contains("\nbtime "), "btime stays the host's");
            assertTrue(stat.contains("\nintr 0\n") && stat.contains("\nctxt 0\n") && stat.contains("\nprocesses 0\n"), "counters no cgroup keeps read 0");
            assertEquals("4990.44 " + idle / 100 + "." + String.format("%02d", idle % 100), f.scope("web.service").render("uptime").trim().substring(0, 8 + String.valueOf(idle / 100).length() + 3),
                    "uptime: the host's, then the scope's idle time");
        }
    }

    @Test
    void loadavgIsSeededWithTheFirstCount() throws Exception {
        try (CgroupFixture f = web()) {
            assertEquals("2.00 2.00 2.00 1/3 103", f.scope("web.service").render("loadavg").trim(), "R and D count, running over threads, the last thread");
        }
    }

    @Test
    void diskstatsAreIoStatOnTheHostsDisks() throws Exception {
        try (CgroupFixture f = web()) {
            String d = f.scope("web.service").render("diskstats");
            assertEquals(1, d.lines().count(), "only vda did I/O (8:0 is no disk of the host's)");
            String[] row = d.trim().split("\\s+");
            assertEquals(List.of("254", "0", "vda", "1", "0", "8", "0", "50", "0", "102400"), List.of(row).subList(0, 10));
            assertEquals(3 + 17, row.length, "the host row's field count");
        }
        try (CgroupFixture f = web().delete("cgroup/" + WEB + "/io.stat")) {
            // systemd enables io only for units with IOAccounting=yes: the scope shows no disk, never
            // the host's rows, and the host stays in the other files (procsys exec binds the /sys
            // block view from the combined diskstats: with every host left out of it, exec failed)
            assertEquals("", f.scope("web.service").render("diskstats"), "no io controller: no disk");
            assertTrue(f.scope("web.service").state().detail().contains("(diskstats shows no disk)"), f.scope("web.service").state().detail());
        }
    }

    @Test
    void anAbsentScopeRendersNothing() throws Exception {
        try (CgroupFixture f = web()) {
            ScopedHost db = f.scope("db.service");
            for (String file : ScopedHost.FILES) assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> db.render(file)).errno(), file);
            assertEquals(ScopeState.Outcome.ABSENT, db.state().outcome());
            assertTrue(!db.visible(101) && !db.listed().test(101));
            ScopedHost web = f.scope("web.service");
            assertTrue(web.visible(101) && web.visible(103) && web.listed().test(102) && !web.listed().test(103) && !web.visible(1),
                    "processes listed, threads looked up, others hidden");
            ScopeState state = web.state();
            assertEquals(new ScopeState(ScopeState.Outcome.PRESENT, "v2", List.of("0::/system.slice/web.service"), 2, ""), state);
        }
    }
}
