package io.procsys.fs.cluster;

import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fan-out, coalescing and reuse of combined files, with hosts that answer when told to. */
class CombinedFilesTest {
    /** A host whose reads complete only when the test says so; every read gets its own content to release. */
    static final class ManualHost implements Backend {
        final String name;
        final String meminfo;
        final AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Boolean> pending = new CompletableFuture<>();

        ManualHost(String name, long memTotalKb) {
            this.name = name;
            this.meminfo = "MemTotal:       " + memTotalKb + " kB\nMemFree:        1 kB\n";
        }

        public String name() { return name; }
        public CompletableFuture<FileAttributes> stat(String path) { throw new UnsupportedOperationException(); }
        public CompletableFuture<List<ExportedTree.Entry>> list(String path) { throw new UnsupportedOperationException(); }
        public CompletableFuture<String> readlink(String path) { throw new UnsupportedOperationException(); }

        public CompletableFuture<Content> read(String path) {
            reads.incrementAndGet();
            return pending.thenApply(answered -> Contents.of(meminfo));
        }

        void answer() {
            pending.complete(true);
        }

        void fail() {
            pending.completeExceptionally(new ErrnoException(113, "down"));
        }
    }

    static String text(CompletableFuture<Backend.Content> f) {
        Backend.Content c = f.join();
        try {
            return Contents.text(c.bytes());
        } finally {
            c.release();
        }
    }

    @Test
    void concurrentReadersShareOneFanOutAndAFailedHostIsLeftOut() {
        ManualHost a = new ManualHost("a", 100), b = new ManualHost("b", 20), c = new ManualHost("c", 3);
        CombinedFiles files = new CombinedFiles(new HostSet(List.of(a, b, c)), Duration.ZERO);
        CompletableFuture<Backend.Content> first = files.read("meminfo");
        CompletableFuture<Backend.Content> second = files.read("meminfo");
        assertEquals(1, a.reads.get(), "one fan-out for both readers");
        a.answer();
        b.answer();
        c.fail();
        String one = text(first), two = text(second);
        assertEquals(one, two);
        assertTrue(one.startsWith("MemTotal:") && one.contains(" 120 kB"), one);
        // without a reuse time, a later reader starts a new fan-out
        a.pending = new CompletableFuture<>();
        files.read("meminfo");
        assertEquals(2, a.reads.get());
    }

    @Test
    void aReuseTimeServesLaterReadersFromTheSameFanOut() {
        ManualHost a = new ManualHost("a", 7);
        CombinedFiles files = new CombinedFiles(new HostSet(List.of(a)), Duration.ofMinutes(1));
        a.answer();
        assertTrue(text(files.read("meminfo")).contains(" 7 kB"));
        assertTrue(text(files.read("meminfo")).contains(" 7 kB"));
        assertEquals(1, a.reads.get());
    }

    @Test
    void aFailedFanOutIsNotReused() {
        ManualHost a = new ManualHost("a", 7);
        CombinedFiles files = new CombinedFiles(new HostSet(List.of(a)), Duration.ofMinutes(1));
        a.fail();
        assertTrue(files.read("meminfo").isCompletedExceptionally());
        a.pending = new CompletableFuture<>();
        files.read("meminfo");
        assertEquals(2, a.reads.get());
    }

    @Test
    void hitsAndMissesAreCounted() {
        ManualHost a = new ManualHost("a", 7);
        CombinedFiles files = new CombinedFiles(new HostSet(List.of(a)), Duration.ofMinutes(1));
        CompletableFuture<Backend.Content> first = files.read("meminfo");    // starts the fan-out: a miss
        CompletableFuture<Backend.Content> second = files.read("meminfo");   // joins it in flight
        a.answer();
        text(first);
        text(second);
        text(files.read("meminfo"));                                      // reused within the reuse time
        assertEquals(1, files.started.sum(), "misses");
        assertEquals(1, files.joined.sum(), "joined in flight");
        assertEquals(1, files.reused.sum(), "reused");
        CombinedFiles coalescingOnly = new CombinedFiles(new HostSet(List.of(a)), Duration.ZERO);
        text(coalescingOnly.read("meminfo"));
        text(coalescingOnly.read("meminfo"));
        assertEquals(2, coalescingOnly.started.sum(), "no reuse time: every later read is a miss");
        assertEquals(0, coalescingOnly.reused.sum());
    }
}
