package io.procsys.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.tree.ExportedTree;
import io.netty.handler.codec.CorruptedFrameException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever bytes a peer sends, the frame decoder and codec either yield messages or fail with a
 * {@link DecoderException} (which closes that connection): nothing else escapes, nothing grows
 * past the frame bound, and every buffer is released. Run as a test it replays the inputs kept
 * in the resources; {@code scripts/fuzz.sh} fuzzes it (JAZZER_FUZZ=1).
 */
class FrameDecoderFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void agentSideDecoding(byte[] input) {
        decode(input, Framing.MAX_REQUEST_FRAME);
    }

    @FuzzTest(maxDuration = "5s")
    void clientSideDecoding(byte[] input) {
        decode(input, Framing.MAX_REPLY_FRAME);
    }

    /**
     * The actions (Signal 15, SetPriority 16, IoprioGet 17) and their reply Done (25), and Scope
     * (26) with its reply (27), and HistoryHosts (33), as a hostile client or agent may send them: the first byte picks
     * the type, the rest is the body after the id. Decoded to that message or refused, nothing else.
     */
    @FuzzTest(maxDuration = "5s")
    void actionDecoding(byte[] input) {
        if (input.length == 0) return;
        int[] types = {15, 16, 17, 25, 26, 27, 33};
        int type = types[(input[0] & 0xff) % types.length];
        ByteBuf body = Unpooled.buffer().writeByte(type).writeInt(7).writeBytes(input, 1, input.length - 1);
        EmbeddedChannel channel = new EmbeddedChannel();
        Framing.install(channel.pipeline(), Framing.MAX_REQUEST_FRAME);
        try {
            channel.writeInbound(Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body));
            Message m = channel.readInbound();
            assertTrue(m instanceof Message.Action || m instanceof Message.Done || m instanceof Message.Scope || m instanceof Message.ScopeReply
                            || m instanceof Message.HistoryHosts,
                    "decodes to its type: " + m);
            if (m instanceof Message.Scope s) assertTrue(!s.specs().isEmpty() && s.specs().size() <= io.procsys.scope.ScopeSpec.MAX_SPECS, "a bounded scope");
            if (m instanceof Message.ScopeReply r) assertTrue(r.state().members() >= 0 && r.state().paths().size() <= io.procsys.scope.ScopeState.MAX_PATHS);
            if (m instanceof Message.Signal s) assertTrue(!s.user().isEmpty() && s.user().indexOf('\0') < 0, "a usable user name");
            if (m instanceof Message.SetPriority p) assertTrue(!p.user().isEmpty() && p.user().indexOf('\0') < 0, "a usable user name");
        } catch (DecoderException refused) {
            // refused: fine
        } finally {
            body.release();
            channel.finishAndReleaseAll();
        }
    }

    /** A list of hosts (the Data answering HistoryHosts) as a hostile agent may send it: refused whole, or every name a node name, none twice. */
    @FuzzTest(maxDuration = "5s")
    void historyHostListDecoding(byte[] input) {
        java.util.List<String> names;
        try {
            names = io.procsys.net.protocol.HistoryHostList.read(input);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertTrue(names.size() <= io.procsys.net.protocol.HistoryHostList.MAX_HOSTS);
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "no name twice");
        for (String n : names) assertTrue(n.matches(io.procsys.net.protocol.HistoryHostList.HOST_NAME), n);
        assertEquals(java.util.Arrays.toString(input), java.util.Arrays.toString(io.procsys.net.protocol.HistoryHostList.write(names)), "read back as written");
    }

    /** A process table as a hostile agent may send it: refused whole, or read and searched; always released. */
    @FuzzTest(maxDuration = "5s")
    void processTableDecoding(byte[] input) {
        ByteBuf bytes = Unpooled.directBuffer(Math.max(1, input.length)).writeBytes(input);
        try {
            ProcessTable table = ProcessTable.read(bytes);
            for (ExportedTree.Entry e : table.root()) {
                assertTrue(!e.name().isEmpty() && e.name().indexOf('/') < 0 && !e.name().equals("..") && !e.name().equals("."), e.name());
            }
            for (String path : new String[]{"", "stat", "task", "ns/pid", "task/1/stat"}) {
                for (int pid = 1; pid < 4; pid++) {
                    ProcessTable.Item item = table.find(pid, path);
                    if (item != null && item.isFile()) {
                        assertTrue(item.fileOffset() + item.fileLength() <= input.length, "file inside the table");
                    }
                }
            }
            table.release();
        } catch (CorruptedFrameException refused) {
            // refused whole: fine
        }
        assertEquals(0, bytes.refCnt(), "table released");
    }

    private static void decode(byte[] input, int maxFrame) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Framing.install(channel.pipeline(), maxFrame);
        ByteBuf bytes = Unpooled.buffer(input.length).writeBytes(input);
        int messages = 0;
        try {
            // in two pieces, as a socket may deliver them
            int half = input.length / 2;
            channel.writeInbound(bytes.retainedSlice(0, half));
            channel.writeInbound(bytes.retainedSlice(half, input.length - half));
        } catch (DecoderException refused) {
            // the connection would be closed: fine
        } finally {
            bytes.release();
            Object message;
            while ((message = channel.readInbound()) != null) {
                assertTrue(message instanceof Message, "decodes only to messages: " + message.getClass());
                messages++;
                ReferenceCountUtil.release(message instanceof Message.Data d ? d.bytes() : message);
            }
            channel.finishAndReleaseAll();
        }
        assertTrue(messages <= input.length / 5, "at most one message per 5 bytes (length + type)");
        assertEquals(0, bytes.refCnt(), "input released");
    }
}
