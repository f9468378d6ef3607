package io.procsys.history;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.procsys.net.Certificates;
import io.procsys.net.Tls;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.HistorySource;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An agent's answers for the hosts archived to it (protocol 10): HistoryHosts lists them, History
 * serves each by name, over mutual TLS; names are checked, and sources chain as RunningAgent
 * chains them (own recording, then the archive).
 */
class HistoryHostsTest {
    @TempDir
    Path dir;

    static int errno(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return ((ErrnoException) ErrnoException.unwrapped(e)).errno();
    }

    @Test
    void anAgentListsAndServesTheHostsArchivedToItOverMutualTls() throws Exception {
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Certificates ca = Certificates.newAuthority("procsys test CA", now, Duration.ofDays(1));
        Path caPem = ca.writeAuthority(dir);
        Tls.Credentials agentFiles = ca.issue("a", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(1)).write(dir, caPem);
        Tls.Credentials mountFiles = ca.issue("here", List.of("localhost"), now, Duration.ofDays(1)).write(dir, caPem);
        Path own = dir.resolve("records"), archive = dir.resolve("archive");
        ArchiveTest.record(own.resolve("a"), 4);
        ArchiveTest.record(archive.resolve("c"), 6);
        ArchiveTest.record(archive.resolve("b"), 3);
        Files.createDirectories(archive.resolve("no-index"));
        Files.createDirectories(archive.resolve(".hidden"));
        HistorySource sources = new RecordedHistory(own, "a").orElse(new RecordedHistory(archive, null));
        var loops = io.procsys.net.Transport.eventLoops(1);
        try (Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "a", new ExportedTree(ProcTree.open(Path.of("/proc"))), Tls.server(agentFiles))
                .history(sources);
             AgentClient client = AgentClient.connect(loops, agent.address(), Tls.client(mountFiles), "here", Duration.ofSeconds(5)).join()) {
            assertEquals(Message.HISTORY_HOSTS_VERSION, client.version());
            assertEquals(List.of("b", "c"), client.historyHosts(5000).join(), "its archive's hosts, sorted; not its own, nor what holds no recording");
            long from = System.currentTimeMillis() - 3_600_000, to = from + 7_200_000;
            ByteBuf c = client.history("c", from, to, 5000).join();
            byte[] expected = SegmentBatch.write(new StoreReader(archive.resolve("c")).segments(from, to, RecordedHistory.MAX_BYTES));
            assertArrayEquals(expected, ByteBufUtil.getBytes(c), "c's blocks, as its archive holds them");
            assertEquals(6, Segment.decode(SegmentBatch.read(expected).segments().getFirst()).frames().size());
            c.release();
            ByteBuf mine = client.history("", from, to, 5000).join();
            assertEquals(4, Segment.decode(SegmentBatch.read(ByteBufUtil.getBytes(mine)).segments().getFirst()).frames().size(), "its own past still");
            mine.release();
            for (String bad : new String[]{"zz", "..", "../a", ".hidden", "a/../c"}) {
                assertEquals(Errno.ENOENT, errno(client.history(bad, from, to, 5000)), bad);
            }
            assertEquals(Errno.ENODATA, errno(client.history("no-index", from, to, 5000)), "a directory that holds nothing recorded");
            assertEquals(List.of("b", "c"), client.historyHosts(5000).join(), "the connection goes on after refusals");
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void anAgentWithoutRecordingsListsNothingAndAnArchiveHasNoOwnHost() throws Exception {
        var loops = io.procsys.net.Transport.eventLoops(1);
        try (Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "a", new ExportedTree(ProcTree.open(Path.of("/proc"))), null);
             AgentClient client = AgentClient.connect(loops, agent.address(), null, "here", Duration.ofSeconds(5)).join()) {
            assertEquals(List.of(), client.historyHosts(5000).join());
            assertEquals(Errno.ENODATA, errno(client.history("", 0, 1000, 5000)));
            agent.history(new RecordedHistory(dir, null));
            assertEquals(Errno.ENOENT, errno(client.history("", 0, 1000, 5000)), "an archive alone: no past of its own");
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A source answering {@code bytes}, or failing with {@code errno} (0: answers), listing {@code names}. */
    static HistorySource source(int errno, List<String> names, List<String> asked) {
        return new HistorySource() {
            @Override
            public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
                asked.add(host);
                return errno == 0 ? CompletableFuture.completedFuture(new byte[]{7}) : CompletableFuture.failedFuture(new ErrnoException(errno, "test"));
            }

            @Override
            public CompletableFuture<List<String>> hosts() {
                return names == null ? CompletableFuture.failedFuture(new ErrnoException(Errno.EIO, "test")) : CompletableFuture.completedFuture(names);
            }
        };
    }

    @Test
    void chainedSourcesAskTheNextOnFailureAndKeepTheTellingError() {
        List<String> asked = new ArrayList<>();
        HistorySource answers = source(0, List.of("b"), asked);
        assertArrayEquals(new byte[]{7}, source(Errno.ENOENT, List.of(), asked).orElse(answers).history("b", 0, 1).join());
        assertEquals(List.of("b", "b"), asked, "the first, then the next");
        assertEquals(Errno.ETIMEDOUT, errno(source(Errno.ETIMEDOUT, List.of(), asked).orElse(source(Errno.ENOENT, List.of(), asked)).history("x", 0, 1)),
                "a host below that did not answer is not reported unknown");
        assertEquals(Errno.ENODATA, errno(source(Errno.ENOENT, List.of(), asked).orElse(source(Errno.ENODATA, List.of(), asked)).history("x", 0, 1)));
        HistorySource three = source(Errno.ENOENT, List.of("c", "b"), asked).orElse(source(Errno.ENOENT, null, asked)).orElse(source(0, List.of("b", "d"), asked));
        assertEquals(List.of("c", "b", "d"), three.hosts().join(), "both listings, without repeats; a failed one lists nothing");
    }
}
