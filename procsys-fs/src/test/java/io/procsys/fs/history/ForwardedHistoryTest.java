package io.procsys.fs.history;

import io.netty.channel.EventLoopGroup;
import io.procsys.fs.cluster.Peer;
import io.procsys.history.RecordedHistory;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.HistorySource;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A tree node's answers for the hosts below it: forwarded to the peer of that name, or to the peer that lists it; bounded. */
class ForwardedHistoryTest {
    static EventLoopGroup loops;
    static Agent leaf;
    static Peer peer;

    /** The leaf's past: the host asked for, as text; "big" is larger than any answer may be; "gone" is no host. */
    static final HistorySource LEAF = new HistorySource() {
        @Override
        public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
            if (host.equals("gone")) return CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, "test"));
            if (host.equals("big")) return CompletableFuture.completedFuture(new byte[RecordedHistory.MAX_ANSWER_BYTES + 1]);
            return CompletableFuture.completedFuture(("past of '" + host + "' from " + fromMillis).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public CompletableFuture<List<String>> hosts() {
            return CompletableFuture.completedFuture(List.of("x", "top", "big", "gone", "leaf"));
        }
    };

    @BeforeAll
    static void leafBelow() throws Exception {
        loops = Transport.eventLoops(1);
        leaf = Agent.start(new InetSocketAddress("127.0.0.1", 0), "leaf-agent", new ExportedTree(ProcTree.open(Path.of("/proc"))), null).history(LEAF);
        peer = new Peer("leaf", leaf.address(), null, "top", loops, Duration.ofSeconds(2)).start();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (peer.connection() == null && System.nanoTime() < end) Thread.sleep(20);
    }

    @AfterAll
    static void stop() {
        peer.close();
        leaf.close();
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    static int errno(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return ((ErrnoException) ErrnoException.unwrapped(e)).errno();
    }

    static String text(CompletableFuture<byte[]> f) {
        return new String(f.join(), StandardCharsets.US_ASCII);
    }

    @Test
    void aPeerIsAskedForItsOwnPastAndAListedHostByName() {
        ForwardedHistory below = new ForwardedHistory("top", () -> List.of(peer), System::nanoTime);
        assertEquals(List.of("leaf", "x", "big", "gone"), below.hosts().join(), "the peer, then what it lists, flattened; never this node");
        assertEquals("past of '' from 5", text(below.history("leaf", 5, 10)), "the peer's own past");
        assertEquals("past of 'x' from 6", text(below.history("x", 6, 10)), "a host it lists, by name");
        assertEquals(Errno.ENOENT, errno(below.history("nobody", 0, 1)), "neither a peer nor listed");
        assertEquals(Errno.ENOENT, errno(below.history("top", 0, 1)), "this node's own past is not forwarded");
        assertEquals(Errno.ENOENT, errno(below.history("", 0, 1)));
        assertEquals(Errno.ENOENT, errno(below.history("gone", 0, 1)), "the errno of the host below, passed on");
        assertEquals(Errno.EFBIG, errno(below.history("big", 0, 1)), "an answer over the recording's byte cap");
        assertEquals("past of 'x' from 7", text(below.history("x", 7, 10)), "the connection goes on");
    }

    @Test
    void aPeerThatIsDownIsUnreachableNotUnknown() throws Exception {
        Peer down = new Peer("down", new InetSocketAddress("127.0.0.1", 1), null, "top", loops, Duration.ofSeconds(1));
        ForwardedHistory below = new ForwardedHistory("top", () -> List.of(down), System::nanoTime);
        assertEquals(List.of("down"), below.hosts().join());
        assertEquals(Errno.EHOSTUNREACH, errno(below.history("down", 0, 1)));
        down.close();
    }
}
