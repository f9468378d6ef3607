package io.procsys.scope;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupLinesTest {
    /** This machine kind: controllers mounted apart, name=systemd, an empty unified line. */
    static final String HERE = """
            9:name=systemd:/
            8:pids:/
            4:memory:/process_api/1112ca93ab28895a2fc767af3b270cdc
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    @Test
    void eachHierarchyHasItsLine() {
        assertEquals("/process_api/1112ca93ab28895a2fc767af3b270cdc", CgroupLines.pathIn(HERE, "memory"));
        assertEquals("/", CgroupLines.pathIn(HERE, "name=systemd"));
        assertEquals("/", CgroupLines.pathIn(HERE, Hierarchies.UNIFIED));
        assertNull(CgroupLines.pathIn(HERE, "blkio"));
        String comounted = "4:cpu,cpuacct:/system.slice/web.service\n3:memory:/system.slice\n";
        assertEquals("/system.slice/web.service", CgroupLines.pathIn(comounted, "cpuacct"));
        assertEquals("/system.slice/web.service", CgroupLines.pathIn(comounted, "cpu"));
        assertNull(CgroupLines.pathIn(comounted, Hierarchies.UNIFIED));
    }

    @Test
    void aPathMayHoldColonsAndEscapes() {
        String v2 = "0::/system.slice/system-foo\\x2dbar.slice/a:b.scope\n";
        assertEquals("/system.slice/system-foo\\x2dbar.slice/a:b.scope", CgroupLines.pathIn(v2, Hierarchies.UNIFIED));
        assertEquals("/../../kubepods.slice", CgroupLines.pathIn("0::/../../kubepods.slice\n", Hierarchies.UNIFIED), "outside the reader's cgroup namespace");
        assertEquals(0, CgroupLines.parse("garbage\n1:cpu\n:x\n").size());
    }

    @Test
    void withinIsByWholeComponents() {
        assertTrue(CgroupLines.within("/a/b", "/a"));
        assertTrue(CgroupLines.within("/a", "/a"));
        assertTrue(CgroupLines.within("/a", "/"));
        assertFalse(CgroupLines.within("/ab", "/a"));
        assertFalse(CgroupLines.within("/", "/a"));
    }
}
