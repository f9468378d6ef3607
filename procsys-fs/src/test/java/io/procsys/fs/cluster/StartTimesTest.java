package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the mount remembers of the processes it listed: each one's start time, from its table's stat. */
class StartTimesTest {
    static final FileAttributes DIR = new FileAttributes(040555, 0, 0, 1, 0, 2, 0, 0, 0);
    static final FileAttributes FILE = new FileAttributes(0100444, 0, 0, 1, 0, 1, 0, 0, 0);

    static String stat(int pid, String comm, long startTime) {
        return pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " + startTime
                + " 2342912 140 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    }

    static ProcessTable table(Map<Integer, String> stats) {
        List<ExportedTree.Entry> root = new ArrayList<>();
        for (int pid : stats.keySet()) root.add(new ExportedTree.Entry(Integer.toString(pid), DIR));
        root.add(new ExportedTree.Entry("meminfo", FILE));
        ByteBuf out = Unpooled.directBuffer();
        ProcessTableWriter w = new ProcessTableWriter(out, ProcessTableFormat.MAX_BYTES, Set.of("stat"), Set.of("stat"), root);
        try (Arena arena = Arena.ofConfined()) {
            for (var e : stats.entrySet()) {
                w.beginProcess(e.getKey());
                MemorySegment data = arena.allocateFrom(e.getValue(), StandardCharsets.US_ASCII);
                w.file("stat", FILE, data.asSlice(0, data.byteSize() - 1));
                w.endProcess();
            }
        }
        return ProcessTable.read(w.finish());
    }

    @Test
    void eachListedProcessKeepsItsStartTime() {
        Map<Integer, String> stats = new LinkedHashMap<>();
        stats.put(4000, stat(4000, "sleep", 123456));
        stats.put(7, stat(7, "a) S 1 2 (b", 99)); // a command name with spaces and parentheses
        stats.put(31, "31 (broken"); // no closing parenthesis
        ProcessTable t = table(stats);
        try {
            StartTimes seen = StartTimes.of(t);
            assertEquals(123456, seen.of(4000));
            assertEquals(99, seen.of(7));
            assertEquals(-1, seen.of(31), "an unreadable stat gives no start time");
            assertEquals(-1, seen.of(8), "not listed");
        } finally {
            t.release();
        }
        assertEquals(-1, StartTimes.NONE.of(4000));
    }

    @Test
    void field22OrNothing() {
        assertEquals(42, parse(stat(1, "x", 42).strip()));
        assertEquals(-1, parse("1 (x) S 1 2 3"), "too short");
        assertEquals(-1, parse("1 (x) S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12a4 5"), "not a number");
    }

    static long parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return StartTimes.startTime(at -> b[at], b.length);
    }
}
