package io.procsys.fs;

import io.procsys.fs.access.Reader;
import io.procsys.fs.access.UserLimits;
import io.procsys.fuse.Request;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.NativeBytes;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read rules of a live file, as seq_file has them: which reads render the file again, and what each holds. */
class RenderedFileTest {
    final RecordingSink sink = new RecordingSink();
    final MemorySegment reqPointer = Arena.ofAuto().allocate(8);
    final List<Text> made = new ArrayList<>();
    /** The texts the renderer gives next, in order; a null is a failure (ESRCH). */
    final Queue<String> next = new LinkedList<>();
    boolean rendererClosed;

    /** A rendering that knows whether it was released. */
    final class Text implements NativeBytes {
        final MemorySegment bytes;
        boolean released;

        Text(String text) {
            bytes = Arena.ofAuto().allocateFrom(text, StandardCharsets.ISO_8859_1).asSlice(0, text.length());
            made.add(this);
        }

        public MemorySegment bytes() {
            return bytes;
        }

        public void release() {
            assertTrue(!released, "released twice");
            released = true;
        }
    }

    /** The handles' clock: each read comes a second after the one before, unless a test holds it. */
    long now = 0;
    boolean clockRuns = true;
    int renders;

    final RenderedFile.Renderer renderer = new RenderedFile.Renderer() {
        public CompletableFuture<Text> render(Reader reader) {
            renders++;
            String text = next.remove();
            return text == null ? CompletableFuture.failedFuture(new ErrnoException(Errno.ESRCH, "exited")) : CompletableFuture.completedFuture(new Text(text));
        }

        public void close() {
            rendererClosed = true;
        }
    };

    RenderedFile open(String text) {
        return open(text, renderer);
    }

    RenderedFile open(String text, RenderedFile.Renderer with) {
        return new RenderedFile(new Text(text), with, Reader.ROOT, now, () -> now);
    }

    String read(RenderedFile file, long size, long offset) {
        if (clockRuns) now += 1_000_000_000L;
        file.read(Request.to(sink, reqPointer), size, offset);
        RecordingSink.Reply reply = sink.last();
        return reply.kind().equals("buf") ? new String(reply.data(), StandardCharsets.ISO_8859_1) : "errno " + reply.errno();
    }

    @Test
    void aOneShotReaderRendersOnceAndChunksAreOneText() {
        RenderedFile file = open("ctxt 100\n");
        assertEquals("ctxt", read(file, 4, 0));
        assertEquals(" 100\n", read(file, 100, 4));
        assertEquals("", read(file, 100, 9));
        assertEquals("", read(file, 100, 9), "EOF again where the last read ended");
        assertEquals(1, made.size(), "the open's rendering answered them all");
        file.close();
        assertTrue(made.getFirst().released && rendererClosed);
    }

    @Test
    void aReadAtZeroRendersAgainAndReleasesTheRenderingItReplaces() {
        RenderedFile file = open("ctxt 100\n");
        assertEquals("ctxt 100\n", read(file, 100, 0));
        next.add("ctxt 250\n");
        assertEquals("ctxt 250\n", read(file, 100, 0));
        assertTrue(made.get(0).released, "the old rendering is released at once");
        next.add("ctxt 300\n");
        assertEquals("300\n", read(file, 100, 5), "an offset other than where the last read ended renders again (seq_file's traverse)");
        assertEquals(3, made.size());
        file.close();
        assertTrue(made.stream().allMatch(t -> t.released), "nothing left after release");
    }

    @Test
    void aReaderThatPolledFirstReadsANewRendering() {
        RenderedFile file = open("before the mount\n");
        file.polled(); // findmnt --poll: open, poll until the mount table changes, read
        next.add("after the mount\n");
        assertEquals("after the mount\n", read(file, 100, 0));
        file.close();
    }

    @Test
    void theOpensRenderingIsNotUsedForAFirstReadLongAfterTheOpen() {
        RenderedFile file = open("old\n");
        now += 2 * RenderedFile.OPEN_RENDERING_NANOS;
        clockRuns = false;
        next.add("new\n");
        assertEquals("new\n", read(file, 100, 0));
        file.close();
    }

    @Test
    void aFailedRenderingAnswersItsErrnoAndTheNextReadTriesAgain() {
        RenderedFile file = open("S\n");
        assertEquals("S\n", read(file, 100, 0));
        next.add(null);
        assertEquals("errno " + Errno.ESRCH, read(file, 100, 0), "the process exited: as /proc answers");
        next.add("R\n");
        assertEquals("\n", read(file, 100, 1), "rendered again: no offset continues a failed read");
        file.close();
        assertTrue(made.stream().allMatch(t -> t.released));
    }

    @Test
    void aRenderingThatArrivesAfterReleaseIsFreedAndTheReadAnswered() {
        CompletableFuture<Text> later = new CompletableFuture<>();
        RenderedFile file = open("a\n", reader -> later);
        assertEquals("a\n", read(file, 100, 0));
        int replies = sink.replies.size();
        file.read(Request.to(sink, reqPointer), 100, 0);
        assertEquals(replies, sink.replies.size(), "no reply until the host answers");
        file.close();
        later.complete(new Text("b\n"));
        assertEquals(Errno.EBADF, sink.last().errno());
        assertTrue(made.stream().allMatch(t -> t.released), "the late rendering is not kept");
    }

    @Test
    void readsThatComeWhileARenderingIsUnderWayWaitForItAndShareIt() {
        CompletableFuture<Text> later = new CompletableFuture<>();
        RenderedFile file = open("a\n", reader -> {
            renders++;
            return later;
        });
        assertEquals("a\n", read(file, 100, 0));
        int replies = sink.replies.size();
        for (int i = 0; i < 3; i++) file.read(Request.to(sink, reqPointer), 1, 0); // pread(fd, 1, 0) from three threads
        assertEquals(1, renders, "one rendering for the three reads");
        assertEquals(replies, sink.replies.size(), "none waits in its upcall: they are answered when it comes");
        later.complete(new Text("b\n"));
        assertEquals(replies + 3, sink.replies.size());
        assertTrue(sink.replies.subList(replies, replies + 3).stream().allMatch(r -> new String(r.data(), StandardCharsets.ISO_8859_1).equals("b")));
        file.close();
    }

    @Test
    void aReadAtZeroTooSoonAfterTheLastRenderingIsAnsweredFromIt() {
        RenderedFile file = open("1\n");
        assertEquals("1\n", read(file, 100, 0));
        next.add("2\n");
        assertEquals("2\n", read(file, 100, 0), "a second later: rendered again");
        clockRuns = false;
        now += RenderedFile.MIN_INTERVAL_NANOS / 2;
        assertEquals("2\n", read(file, 100, 0), "sooner than the shortest interval: the last rendering");
        assertEquals(1, renders, "the open's rendering, then one");
        now += RenderedFile.MIN_INTERVAL_NANOS;
        next.add("3\n");
        assertEquals("3\n", read(file, 100, 0), "past it: rendered again");
        file.close();
    }

    @Test
    void aRenderingForAnotherUserIsNotShared() {
        CompletableFuture<Text> later = new CompletableFuture<>();
        RenderedFile file = open("a\n", reader -> {
            renders++;
            return reader.privileged() ? later : CompletableFuture.completedFuture(new Text("nobody's\n"));
        });
        assertEquals("a\n", read(file, 100, 0));
        file.read(Request.to(sink, reqPointer), 100, 0); // root: waits for the host
        sink.caller(65534, 65534, 1);
        assertEquals("nobody's\n", read(file, 100, 0), "another user's read renders for it");
        assertEquals(2, renders);
        later.complete(new Text("root's\n"));
        file.close();
    }

    @Test
    void aRenderingPastTheUsersBytesIsRefusedWithEagain() {
        UserLimits limits = new UserLimits(new UserLimits.Limits(10, 8, 10));
        sink.caller(1000, 1000, 1);
        UserLimits.Usage usage = limits.of(Reader.of(1000, 1000, 1));
        RenderedFile file = open("1234\n");
        assertTrue(file.chargeTo(usage));
        assertEquals(5, usage.bytes());
        next.add("123456789\n");
        assertEquals("errno " + Errno.EAGAIN, read(file, 100, 0), "10 bytes would pass the user's 8");
        next.add("1234567\n");
        assertEquals("1234567\n", read(file, 100, 0));
        assertEquals(8, usage.bytes());
        file.close();
        assertEquals(0, usage.bytes(), "given back at release");
        assertTrue(made.stream().allMatch(t -> t.released));
    }
}
