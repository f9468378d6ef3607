package io.procsys.history;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.procsys.history.archive.ArchiveInbox;
import io.procsys.history.archive.ArchivePusher;
import io.procsys.net.Certificates;
import io.procsys.net.Tls;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.ArchiveSink;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** agent --archive-to HOST:PORT and --accept-archives: blocks pushed over mutual TLS, filed under the certificate's name, bounded. */
class ArchiveTest {
    static Tls.Credentials receiverFiles, hostAFiles;
    static EventLoopGroup loops;
    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificates(@TempDir Path certs) throws Exception {
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Certificates ca = Certificates.newAuthority("procsys test CA", now, Duration.ofDays(1));
        Path caPem = ca.writeAuthority(certs);
        receiverFiles = ca.issue("receiver", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(1)).write(certs, caPem);
        hostAFiles = ca.issue("a", List.of("localhost"), now, Duration.ofDays(1)).write(certs, caPem);
        loops = Transport.eventLoops(1);
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static Agent receiver(InetSocketAddress at, ArchiveSink sink) throws Exception {
        return Agent.start(at, "receiver", new ExportedTree(ProcTree.open(Path.of("/proc"))), Tls.server(receiverFiles)).acceptArchives(sink);
    }

    /** A recording of {@code frames} frames a second before now, in blocks of two seconds. */
    static void record(Path into, int frames) throws IOException {
        AtomicLong clock = new AtomicLong(System.currentTimeMillis() - frames * 1000L);
        Recorder.Settings settings = new Recorder.Settings(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofHours(1), 7, 1L << 30, 9);
        try (Recorder recorder = new Recorder(stamp -> {
                    long now = stamp.getAsLong();
                    return Frames.frame(now, Map.of("loadavg", Item.file(("0.00 0.00 0.00 1/" + now % 97 + " 1\n").getBytes())));
                },
                into, settings, clock::get)) {
            for (int i = 0; i < frames; i++) {
                recorder.tick();
                clock.addAndGet(1000);
            }
        }
    }

    static List<Frame> frames(Path recording) throws IOException {
        List<Frame> read = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(recording).segments(0, Long.MAX_VALUE / 2, 1 << 26).segments()) read.addAll(Segment.decode(seg).frames());
        return read;
    }

    @Test
    void pushedBlocksAreFiledUnderTheCertificatesNameAndWaitForAReceiverThatIsDown() throws Exception {
        Path own = dir.resolve("own/b"), archive = dir.resolve("archive");
        record(own, 9);
        StoreReader local = new StoreReader(own);
        int blocks = local.days().stream().mapToInt(d -> local.entries(d).size()).sum();
        Agent first = receiver(new InetSocketAddress("127.0.0.1", 0), null);
        InetSocketAddress at = first.address();
        first.close(); // the receiver is down when the pusher starts
        // the pusher's hello claims "b": its certificate says "a", and only that counts
        try (ArchivePusher pusher = new ArchivePusher(new StoreReader(own), at, Tls.client(hostAFiles), "b").start(Duration.ofSeconds(1))) {
            Thread.sleep(1500);
            assertEquals(0, pusher.pushed.sum());
            ArchiveInbox inbox = new ArchiveInbox(archive, System::currentTimeMillis);
            try (Agent agent = receiver(at, inbox)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (pusher.pushed.sum() < blocks && System.nanoTime() < deadline) Thread.sleep(100);
            } finally {
                inbox.close();
            }
        }
        List<Frame> sent = frames(own);
        assertEquals(9, sent.size());
        assertEquals("", Frames.firstDifference(sent, frames(archive.resolve("a"))), "every frame, under the certificate's name");
        assertFalse(Files.exists(archive.resolve("b")), "nothing under the name the peer claimed");
    }

    @Test
    void blocksTheReceiverRefusesForGoodAreSkippedNotRetriedForever() throws Exception {
        Path own = dir.resolve("own/a");
        record(own, 5);
        StoreReader local = new StoreReader(own);
        int blocks = local.days().stream().mapToInt(d -> local.entries(d).size()).sum();
        ArchiveInbox full = new ArchiveInbox(dir.resolve("archive"), System::currentTimeMillis, 1); // every block over the host's day
        try (Agent agent = receiver(new InetSocketAddress("127.0.0.1", 0), full);
             ArchivePusher pusher = new ArchivePusher(local, agent.address(), Tls.client(hostAFiles), "a").start(Duration.ofSeconds(1))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pusher.skipped.sum() < blocks && System.nanoTime() < deadline) Thread.sleep(100);
            assertEquals(blocks, pusher.skipped.sum(), "each refused block once, then the next");
            assertEquals(0, pusher.pushed.sum());
        } finally {
            full.close();
        }
    }

    @Test
    void anAgentThatAcceptsNoArchivesRefusesThemClearly() throws Exception {
        try (Agent agent = receiver(new InetSocketAddress("127.0.0.1", 0), null);
             AgentClient client = AgentClient.connect(loops, agent.address(), Tls.client(hostAFiles), "a", Duration.ofSeconds(5)).join()) {
            assertEquals(Message.PROTOCOL_VERSION, client.version());
            CompletionException e = assertThrows(CompletionException.class, () -> client.request(Message.ArchiveWhere::new, 5000).join());
            assertEquals(Errno.EPERM, ((ErrnoException) e.getCause()).errno());
        }
    }

    @Test
    void aNameThatIsNoHostsIsRefused() {
        ArchiveInbox inbox = new ArchiveInbox(dir, System::currentTimeMillis);
        for (String name : new String[]{"", ".", "..", "../b", "a/b", "-a", "a\nb"}) {
            assertEquals(Errno.EPERM, assertThrows(ErrnoException.class, () -> inbox.open(name), name).errno(), name);
        }
    }

    /** A block of {@code length} bytes whose first frame is at {@code millis}, and its entry. */
    private static Segment.Block block(long millis, int length, boolean key) {
        byte[] bytes = new byte[length];
        new java.util.Random(millis).nextBytes(bytes);
        return new Segment.Block(new BlockEntry(key, millis, millis + 500, 0, length, 1, BlockEntry.crc(bytes, 0, length)), bytes);
    }

    private static void push(ArchiveSink.Upload upload, Segment.Block b) {
        byte[] entry = b.entry().encode();
        for (int at = 0; at < b.bytes().length; at += Message.MAX_ARCHIVE_PART) {
            upload.part(entry, at, java.util.Arrays.copyOfRange(b.bytes(), at, Math.min(b.bytes().length, at + Message.MAX_ARCHIVE_PART)));
        }
    }

    private static int errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    @Test
    void everySizeAndCountAPeerSendsIsBounded() throws IOException {
        long now = System.currentTimeMillis();
        ArchiveInbox inbox = new ArchiveInbox(dir, () -> now, 100_000);
        ArchiveSink.Upload a = inbox.open("a");
        Segment.Block first = block(now - 10_000, 30_000, true);
        push(a, first);
        push(a, first); // sent again after a lost answer: held once
        assertEquals(1, new StoreReader(dir.resolve("a")).entries(DayFiles.dayOf(now)).size());
        assertEquals(first.entry().lastMillis(), a.lastMillis());

        assertEquals(Errno.EFBIG, errno(() -> push(a, block(now - 9_000, ArchiveInbox.MAX_BLOCK + 1, false))), "a block over the size bound");
        assertEquals(Errno.EFBIG, errno(() -> push(a, block(now - 8_000, 80_000, false))), "over the host's bytes for the day");
        assertEquals(Errno.EINVAL, errno(() -> push(a, block(now + Duration.ofDays(3).toMillis(), 100, true))), "a day to come");
        push(a, block(now - Duration.ofDays(30).toMillis(), 100, true)); // before the last block held: ignored
        Segment.Block next = block(now - 7_000, 20_000, false);
        assertEquals(Errno.EINVAL, errno(() -> a.part(next.entry().encode(), 4096, new byte[10])), "a part out of order");
        byte[] damaged = next.bytes().clone();
        damaged[5] ^= 1;
        assertEquals(Errno.EINVAL, errno(() -> push(a, new Segment.Block(next.entry(), damaged))), "a block that fails its CRC");
        byte[] bad = next.entry().encode();
        bad[10] ^= 1;
        assertEquals(Errno.EINVAL, errno(() -> a.part(bad, 0, new byte[10])), "a damaged entry");
        assertEquals(1, new StoreReader(dir.resolve("a")).entries(DayFiles.dayOf(now)).size(), "none of them stored");

        List<ArchiveSink.Upload> busy = new ArrayList<>();
        byte[] bigEntry = block(now - 6_000, ArchiveInbox.MAX_BLOCK, false).entry().encode();
        for (long held = 0; held + ArchiveInbox.MAX_BLOCK <= ArchiveInbox.MAX_IN_FLIGHT; held += ArchiveInbox.MAX_BLOCK) {
            ArchiveSink.Upload u = inbox.open("a");
            u.part(bigEntry, 0, new byte[1]);
            busy.add(u);
        }
        ArchiveSink.Upload one = inbox.open("a");
        assertEquals(Errno.EAGAIN, errno(() -> one.part(bigEntry, 0, new byte[1])), "past the bytes being received at once");
        busy.getFirst().close();
        one.part(bigEntry, 0, new byte[1]);
        inbox.close();
    }
}
