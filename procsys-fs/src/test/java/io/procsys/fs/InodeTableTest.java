package io.procsys.fs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class InodeTableTest {
    @Test
    void rootIsPermanent() {
        InodeTable table = new InodeTable();
        assertEquals(Node.ROOT_ID, table.root().id());
        table.forget(Node.ROOT_ID, 100);
        assertSame(table.root(), table.get(Node.ROOT_ID));
    }

    @Test
    void lookupsOfOnePathShareANodeAndCount() {
        InodeTable table = new InodeTable();
        Node a = table.lookup(table.root(), "meminfo", NodeKind.GLOBAL);
        Node b = table.lookup(table.root(), "meminfo", NodeKind.GLOBAL);
        assertSame(a, b);
        assertEquals(2, a.lookups());
        assertEquals("meminfo", a.path());
        Node status = table.lookup(table.lookup(table.root(), "42", NodeKind.PROCESS), "status", NodeKind.PROCESS);
        assertEquals("42/status", status.path());
        assertEquals("status", status.name());
    }

    @Test
    void forgetRemovesAtZeroAndIdsAreNotReused() {
        InodeTable table = new InodeTable();
        Node a = table.lookup(table.root(), "stat", NodeKind.GLOBAL);
        table.lookup(table.root(), "stat", NodeKind.GLOBAL);
        table.forget(a.id(), 1);
        assertSame(a, table.get(a.id()));
        table.forget(a.id(), 1);
        assertNull(table.get(a.id()));
        Node again = table.lookup(table.root(), "stat", NodeKind.GLOBAL);
        assertNotEquals(a.id(), again.id());
        assertEquals(1, again.lookups());
    }

    @Test
    void forgetOfUnknownIdIsHarmless() {
        InodeTable table = new InodeTable();
        table.forget(12345, 1);
        assertEquals(1, table.size());
    }

    @Test
    void concurrentLookupAndForgetKeepCountsExact() throws Exception {
        InodeTable table = new InodeTable();
        int threads = 4, rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    Node n = table.lookup(table.root(), "name" + (i % 7), NodeKind.GLOBAL);
                    table.forget(n.id(), 1);
                }
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
        assertEquals(1, table.size(), "every node forgotten, only the root left");
    }
}
