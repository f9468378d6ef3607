package io.procsys.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scale simulation's fixtures: capture-hosts.sh captures real pid namespaces, and a table built
 * once from each capture holds every captured process, as the simulated host sends it. Needs root.
 */
class CapturedHostsIT {
    @TempDir
    Path captures;

    @Test
    void everyCapturedProcessIsInTheTableBuiltOnce() throws Exception {
        Process capture = new ProcessBuilder("./capture-hosts.sh", "2", captures.toString()).inheritIO().start();
        assertEquals(0, capture.waitFor(), "capture-hosts.sh");
        boolean threaded = false;
        for (String host : List.of("c0", "c1")) {
            Path root = captures.resolve(host);
            List<Integer> pids = pidsIn(root);
            assertTrue(pids.size() >= 30 && pids.size() <= 200, host + " holds " + pids.size() + " processes");
            TablesBuiltOnce tables = new TablesBuiltOnce(new ExportedTree(ProcTree.open(root)));
            assertEquals(pids.size(), tables.processes(), host);
            ByteBuf sent = tables.table(new Message.Table(1, "", false, 1), ByteBufAllocator.DEFAULT).get();
            assertEquals(tables.bytes(), sent.readableBytes(), "the whole table, whatever parts were asked");
            ProcessTable table = ProcessTable.read(sent);
            try {
                for (int pid : pids) {
                    ProcessTable.Item stat = table.find(pid, "stat");
                    assertNotNull(stat, host + " pid " + pid);
                    assertTrue(stat.isFile(), host + " pid " + pid + " stat");
                    ProcessTable.Item task = table.find(pid, "task");
                    threaded |= task != null && task.listing() != null && task.listing().size() > 1;
                }
            } finally {
                table.release();
            }
            assertNull(tables.table(new Message.Table(2, "", true), ByteBufAllocator.DEFAULT), "thread tables come from the tree");
        }
        assertTrue(threaded, "a multi-threaded process with its threads under task/");
    }

    private static List<Integer> pidsIn(Path root) throws IOException {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+")).map(Integer::parseInt).toList();
        }
    }
}
