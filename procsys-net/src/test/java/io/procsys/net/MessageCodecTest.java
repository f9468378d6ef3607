package io.procsys.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.scope.ScopeState;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageCodecTest {
    static EmbeddedChannel channel(int maxFrame) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Framing.install(ch.pipeline(), maxFrame);
        return ch;
    }

    /** Encodes on one channel, feeds the bytes to another, returns what it decoded. */
    static Message roundTrip(Message msg) {
        EmbeddedChannel out = channel(Framing.MAX_REPLY_FRAME);
        out.writeOutbound(msg);
        EmbeddedChannel in = channel(Framing.MAX_REPLY_FRAME);
        ByteBuf chunk;
        while ((chunk = out.readOutbound()) != null) in.writeInbound(chunk);
        return in.readInbound();
    }

    @Test
    void everyMessageRoundTrips() {
        FileAttributes attrs = new FileAttributes(0100444, 1, 2, 3, 4, 5, 6, 7, 8);
        List<Message> messages = List.of(
                new Message.Hello(1, "node-a"), new Message.Welcome(1, "agent-b"), new Message.Welcome(6, "rack-1", 2_500),
                new Message.Welcome(6, "agent-c", 0),
                new Message.Stat(7, "1/status"), new Message.ListDirectory(8, ""), new Message.Read(9, "meminfo"),
                new Message.Readlink(10, "1/exe"), new Message.Attributes(11, attrs),
                new Message.Table(16, "", false), new Message.Table(17, "hosts/a", true),
                new Message.Table(24, "", false, ProcessTableFormat.partOf("stat") | ProcessTableFormat.partOf("statm")),
                new Message.Table(25, "", true, 0),
                new Message.Table(26, "", false, ProcessTableFormat.ALL_PARTS, true), new Message.Table(27, "", true, 0, true),
                new Message.Listing(12, List.of(new ExportedTree.Entry("a", attrs), new ExportedTree.Entry("gone", null))),
                new Message.LinkText(13, "/usr/bin/vim"), new Message.Error(14, 2),
                new Message.Signal(18, 4242, 987654321L, 15, "alice", 1000), new Message.Signal(19, -1, -1L, 0, "root", 0),
                new Message.SetPriority(20, 1, Long.MAX_VALUE, -20, "bob.smith", 1001),
                new Message.IoprioGet(21, 4194303, 0L), new Message.Done(22, 0), new Message.Done(23, 16388),
                new Message.History(28, "", 1_765_000_000_000L, 1_765_000_600_000L), new Message.History(29, "rack/h17", -5, -5),
                new Message.Scope(31, List.of("web.service", "k8s=shop/web-*:app")),
                new Message.ArchiveWhere(34), new Message.HistoryHosts(37), new Message.ArchivePart(35, new byte[Message.ARCHIVE_ENTRY_BYTES], 0, new byte[]{1, 2, 3}),
                new Message.ArchivePart(36, new byte[Message.ARCHIVE_ENTRY_BYTES], 24_576, new byte[Message.MAX_ARCHIVE_PART]),
                new Message.ScopeReply(32, new ScopeState(ScopeState.Outcome.PRESENT, "v2", List.of("0::/system.slice/web.service"), 3, "")),
                new Message.ScopeReply(33, ScopeState.leftOut(ScopeState.Outcome.AMBIGUOUS, "hybrid", "2 cgroups named web.service")));
        for (Message m : messages) assertEquals(m, roundTrip(m));
        ByteBuf bytes = Unpooled.directBuffer().writeBytes("MemTotal: 1 kB\n".getBytes(StandardCharsets.US_ASCII));
        Message.Data data = (Message.Data) roundTrip(new Message.Data(15, bytes));
        assertEquals(15, data.id());
        assertEquals("MemTotal: 1 kB\n", data.bytes().toString(StandardCharsets.US_ASCII));
        data.bytes().release();
    }

    static Throwable decodeFailure(ByteBuf frameBody, int maxFrame) {
        EmbeddedChannel in = channel(maxFrame);
        ByteBuf framed = Unpooled.buffer().writeInt(frameBody.readableBytes()).writeBytes(frameBody);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(framed));
        return e instanceof CorruptedFrameException || e instanceof TooLongFrameException ? e : e.getCause() == null ? e : e.getCause();
    }

    @Test
    void malformedFramesAreRejected() {
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(99).writeInt(1), 1024), "unknown type");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(10), 1024), "short header");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(10).writeInt(1).writeShort(50).writeByte('a'), 1024), "truncated string");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(10).writeInt(1).writeShort(5000).writeZero(5000), 16384), "string too long");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(10).writeInt(1).writeShort(1).writeByte('a').writeByte('x'), 1024), "trailing bytes");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(21).writeInt(1).writeInt(Integer.MAX_VALUE), 1024), "absurd entry count");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(10).writeInt(1).writeShort(1).writeByte(0), 1024), "NUL in path");
    }

    @Test
    void malformedActionsAreRejected() {
        // Signal: pid, start time, signal, user, uid
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(15).writeInt(1).writeInt(5).writeLong(1).writeInt(9)
                .writeShort(0).writeInt(0), 1024), "empty user");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(15).writeInt(1).writeInt(5).writeLong(1).writeInt(9)
                .writeShort(3).writeBytes("a\nb".getBytes(StandardCharsets.US_ASCII)).writeInt(0), 1024), "control character in user");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(15).writeInt(1).writeInt(5).writeLong(1).writeInt(9)
                .writeShort(300).writeZero(300).writeInt(0), 1024), "user too long (and NUL)");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(15).writeInt(1).writeInt(5).writeLong(1).writeInt(9)
                .writeShort(1).writeByte('a'), 1024), "uid missing");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(17).writeInt(1).writeInt(5).writeInt(1), 1024), "short start time");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(17).writeInt(1).writeInt(5).writeLong(1).writeByte(0), 1024), "trailing byte");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(25).writeInt(1).writeShort(1), 1024), "short done");
    }

    @Test
    void malformedScopesAreRejected() {
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(26).writeInt(1).writeShort(0), 1024), "a scope of no spec");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(26).writeInt(1).writeShort(17), 1024), "more specs than a scope has");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(27).writeInt(1).writeByte(9), 1024), "an unknown outcome");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(27).writeInt(1).writeByte(0).writeShort(0)
                .writeShort(0).writeInt(-1).writeShort(0), 1024), "a negative member count");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(27).writeInt(1).writeByte(0).writeShort(0)
                .writeShort(257), 1024), "more paths than a state names");
    }

    /** The bytes {@code msg} takes on the wire, its frame's length included. */
    static int encodedBytes(Message msg) {
        EmbeddedChannel out = channel(Framing.MAX_REPLY_FRAME);
        out.writeOutbound(msg);
        int total = 0;
        ByteBuf chunk;
        while ((chunk = out.readOutbound()) != null) {
            total += chunk.readableBytes();
            chunk.release();
        }
        return total;
    }

    @Test
    void aWelcomeTellsItsWaitFromVersion6AndAnOlderClientReadsNone() {
        assertEquals(new Message.Welcome(5, "rack-1", 0), roundTrip(new Message.Welcome(5, "rack-1", 2_500)), "version 5 carries no wait");
        assertEquals(encodedBytes(new Message.Welcome(5, "rack-1", 2_500)) + 4, encodedBytes(new Message.Welcome(6, "rack-1", 2_500)),
                "a u32 after the name, only in version 6");
        ByteBuf absurd = Unpooled.buffer().writeByte(2 /* Welcome */).writeInt(0).writeShort(6).writeShort(1).writeByte('a').writeInt(-1);
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(absurd, 1024), "a wait of 49 days");
    }

    @Test
    void aTableOfAllPartsIsTheFormOlderAgentsRead() {
        // version 3: path, then one byte of threads, nothing after it (an older agent refuses trailing bytes)
        ByteBuf v3 = Unpooled.buffer().writeByte(14).writeInt(30).writeShort(0).writeByte(1);
        EmbeddedChannel in = channel(1024);
        in.writeInbound(Unpooled.buffer().writeInt(v3.readableBytes()).writeBytes(v3));
        assertEquals(new Message.Table(30, "", true, ProcessTableFormat.ALL_PARTS), in.readInbound(), "an older client's request asks for all");
        EmbeddedChannel out = channel(1024);
        out.writeOutbound(new Message.Table(30, "", true));
        ByteBuf sent = Unpooled.buffer();
        ByteBuf chunk;
        while ((chunk = out.readOutbound()) != null) {
            sent.writeBytes(chunk);
            chunk.release();
        }
        assertEquals(4 + 5 + 2 + 1, sent.readableBytes(), "length, header, path, threads: no parts");
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(14).writeInt(1).writeShort(0).writeByte(0)
                .writeShort(ProcessTableFormat.ALL_PARTS + 1), 1024), "a part no version knows");
    }

    @Test
    void oversizeLengthPrefixIsRefusedBeforeBuffering() {
        EmbeddedChannel in = channel(Framing.MAX_REQUEST_FRAME);
        ByteBuf huge = Unpooled.buffer().writeInt(100 * 1024 * 1024).writeZero(64);
        assertThrows(TooLongFrameException.class, () -> in.writeInbound(huge));
        assertFalse(in.inboundMessages().stream().anyMatch(m -> m instanceof Message));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButDecoderErrors() {
        java.util.Random random = new java.util.Random(42);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            EmbeddedChannel in = channel(1024);
            List<Object> decoded = new ArrayList<>();
            try {
                in.writeInbound(Unpooled.buffer().writeInt(body.length).writeBytes(body));
                Object m;
                while ((m = in.readInbound()) != null) decoded.add(m);
            } catch (DecoderException expected) {
                rejected++;
            }
            for (Object m : decoded) if (m instanceof Message.Data d) d.bytes().release();
        }
        assertFalse(rejected == 0);
    }

    @Test
    void aHistoryRequestForSpansBackwardsOrTooLongIsRefused() {
        for (long[] span : new long[][]{{10, 9}, {0, Message.MAX_HISTORY_SPAN_MILLIS + 1}, {Long.MIN_VALUE, Long.MAX_VALUE}}) {
            ByteBuf body = Unpooled.buffer().writeByte(30).writeInt(5).writeShort(0).writeLong(span[0]).writeLong(span[1]);
            EmbeddedChannel in = channel(Framing.MAX_REQUEST_FRAME);
            assertThrows(io.netty.handler.codec.DecoderException.class,
                    () -> in.writeInbound(Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body)), span[0] + ".." + span[1]);
            body.release();
            in.finishAndReleaseAll();
        }
    }

    @Test
    void theLargestArchivePartFitsARequestFrameAndNoneLargerIsTaken() {
        Message.ArchivePart largest = new Message.ArchivePart(7, new byte[Message.ARCHIVE_ENTRY_BYTES], 0, new byte[Message.MAX_ARCHIVE_PART]);
        EmbeddedChannel out = channel(Framing.MAX_REPLY_FRAME), agent = channel(Framing.MAX_REQUEST_FRAME);
        out.writeOutbound(largest);
        ByteBuf chunk;
        while ((chunk = out.readOutbound()) != null) agent.writeInbound(chunk);
        assertEquals(largest, agent.readInbound(), "decoded by an agent, whose requests are bounded to 16 KiB");
        for (int[] lengthAndOffset : new int[][]{{Message.MAX_ARCHIVE_PART + 1, 0}, {0, 0}, {10, -1}}) {
            ByteBuf body = Unpooled.buffer().writeByte(32).writeInt(5).writeBytes(new byte[Message.ARCHIVE_ENTRY_BYTES])
                    .writeInt(lengthAndOffset[1]).writeShort(lengthAndOffset[0]).writeBytes(new byte[lengthAndOffset[0]]);
            EmbeddedChannel in = channel(Framing.MAX_REQUEST_FRAME);
            assertThrows(io.netty.handler.codec.DecoderException.class,
                    () -> in.writeInbound(Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body)), lengthAndOffset[0] + " at " + lengthAndOffset[1]);
            body.release();
            in.finishAndReleaseAll();
        }
        assertThrows(IllegalArgumentException.class, () -> new Message.ArchivePart(1, new byte[47], 0, new byte[1]), "an entry is 48 bytes");
    }

    @Test
    void aHistoryHostsRequestIsItsTypeAndIdAlone() {
        assertEquals(new Message.HistoryHosts(9), roundTrip(new Message.HistoryHosts(9)));
        assertInstanceOf(CorruptedFrameException.class, decodeFailure(Unpooled.buffer().writeByte(33).writeInt(9).writeByte(1), 1024), "trailing bytes");
        assertEquals(10, Message.PROTOCOL_VERSION);
        assertEquals(Message.PROTOCOL_VERSION, Message.HISTORY_HOSTS_VERSION);
    }
}
