package io.procsys.fs;

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

    final RenderedFile.Renderer renderer = new RenderedFile.Renderer() {
        public CompletableFuture<Text> render() {
            String text = next.remove();
            return text == null ? CompletableFuture.failedFuture(new ErrnoException(Errno.ESRCH, "exited")) : CompletableFuture.completedFuture(new Text(text));
        }

        public void close() {
            rendererClosed = true;
        }
    };

    String read(RenderedFile file, long size, long offset) {
        file.read(Request.to(sink, reqPointer), size, offset);
        RecordingSink.Reply reply = sink.last();
        return reply.kind().equals("buf") ? new String(reply.data(), StandardCharsets.ISO_8859_1) : "errno " + reply.errno();
    }

    @Test
    void aOneShotReaderRendersOnceAndChunksAreOneText() {
        RenderedFile file = new RenderedFile(new Text("ctxt 100\n"), renderer);
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
        RenderedFile file = new RenderedFile(new Text("ctxt 100\n"), renderer);
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
        RenderedFile file = new RenderedFile(new Text("before the mount\n"), renderer);
        file.polled(); // findmnt --poll: open, poll until the mount table changes, read
        next.add("after the mount\n");
        assertEquals("after the mount\n", read(file, 100, 0));
        file.close();
    }

    @Test
    void theOpensRenderingIsNotUsedForAFirstReadLongAfterTheOpen() {
        RenderedFile file = new RenderedFile(new Text("old\n"), renderer, System.nanoTime() - 2 * RenderedFile.OPEN_RENDERING_NANOS);
        next.add("new\n");
        assertEquals("new\n", read(file, 100, 0));
        file.close();
    }

    @Test
    void aFailedRenderingAnswersItsErrnoAndTheNextReadTriesAgain() {
        RenderedFile file = new RenderedFile(new Text("S\n"), renderer);
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
        RenderedFile file = new RenderedFile(new Text("a\n"), () -> later);
        assertEquals("a\n", read(file, 100, 0));
        int replies = sink.replies.size();
        file.read(Request.to(sink, reqPointer), 100, 0);
        assertEquals(replies, sink.replies.size(), "no reply until the host answers");
        file.close();
        later.complete(new Text("b\n"));
        assertEquals(Errno.EBADF, sink.last().errno());
        assertTrue(made.stream().allMatch(t -> t.released), "the late rendering is not kept");
    }
}
