package io.procsys.fs.cluster;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tree of .sys made from combined texts and this host's /sys (whatever this machine has there). */
class SysViewsTest {
    static final String STAT = "cpu  1 2 3 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\ncpu1 1 2 3 4 5 6 7 8\ncpu2 1 2 3 4 5 6 7 8\nctxt 1\n";
    static final String CPUINFO = "processor\t: 0\nphysical id\t: 0\ncore id\t\t: 0\n\nprocessor\t: 1\nphysical id\t: 0\ncore id\t\t: 1\n\n"
            + "processor\t: 2\nphysical id\t: 1\ncore id\t\t: 0\n\n";
    static final String DISKSTATS = " 254 0 vda 1 2 3 4 5 6 7 8 9 10 11\n 254 0 h1-vda 10 20 30 40 50 60 70 80 90 100 110\n"
            + " 254 1 h1-vda1 1 2 3 4 5 6 7 8 9 10 11\n";

    final SysViewTree tree = SysViews.build(CPUINFO, STAT, DISKSTATS);

    @Test
    void cpuFilesComeFromTheCombinedStatAndCpuinfo() {
        assertEquals("0-2\n", tree.file("cpu/online"));
        assertEquals("1\n", tree.file("cpu/cpu2/topology/physical_package_id"));
        assertEquals(SysViewTree.Kind.DIRECTORY, tree.kind("cpu/cpu2/topology"));
        assertTrue(tree.children("cpu").containsAll(List.of("online", "cpu0", "cpu1", "cpu2")), tree.children("cpu").toString());
        assertNull(tree.kind("cpu/cpu3"), "no more CPUs than the combined stat has");
    }

    @Test
    void remoteDisksHaveTheirCountersAndPartitionsAreLeftOut() {
        assertEquals("10 20 30 40 50 60 70 80 90 100 110\n", tree.file("block/h1-vda/stat"));
        assertNull(tree.kind("block/h1-vda1"));
    }

    @Test
    void everyOtherEntryOfThisHostsDirectoriesIsALink() throws IOException {
        for (var view : SysViews.REPLACED.entrySet()) {
            Path real = view.getValue();
            if (!Files.isDirectory(real)) continue;
            try (var entries = Files.list(real)) {
                for (Path entry : entries.toList()) {
                    String name = entry.getFileName().toString();
                    String path = view.getKey() + "/" + name;
                    if (name.matches("cpu[0-9]+") || tree.file(path) != null) continue;
                    String expected = Files.isSymbolicLink(entry) ? real.resolve(Files.readSymbolicLink(entry)).normalize().toString()
                            : SysViews.HOST_DIRECTORIES + "/" + path;
                    assertEquals(expected, tree.link(path), path);
                }
            }
        }
    }
}
