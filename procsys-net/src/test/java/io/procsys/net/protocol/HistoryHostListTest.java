package io.procsys.net.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The list of hosts answering HistoryHosts: what a peer sends is read trusting nothing. */
class HistoryHostListTest {
    static String refusal(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> HistoryHostList.read(bytes)).getMessage();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void namesRoundTrip() {
        for (List<String> names : List.of(List.<String>of(), List.of("c"), List.of("rack-1.h17", "x_y", "A".repeat(63)))) {
            assertEquals(names, HistoryHostList.read(HistoryHostList.write(names)));
        }
        List<String> most = new ArrayList<>();
        for (int i = 0; i < HistoryHostList.MAX_HOSTS; i++) most.add(("h" + i + "-").repeat(30).substring(0, 63));
        byte[] largest = HistoryHostList.write(most);
        assertEquals(HistoryHostList.MAX_BYTES, largest.length, "the bound is the largest listing");
        assertEquals(most, HistoryHostList.read(largest));
    }

    @Test
    void whatIsNotANodeNameIsNeverWritten() {
        for (String bad : new String[]{"", ".", "..", "../etc", "a/b", "-a", "a b", "a\nb", "A".repeat(64), "é"}) {
            assertThrows(IllegalArgumentException.class, () -> HistoryHostList.write(List.of(bad)), bad);
        }
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= HistoryHostList.MAX_HOSTS; i++) tooMany.add("h" + i);
        assertThrows(IllegalArgumentException.class, () -> HistoryHostList.write(tooMany));
    }

    @Test
    void aMalformedListingIsRefusedWholeSayingWhy() {
        assertTrue(refusal(new byte[0]).contains("shorter than its count"));
        assertTrue(refusal(new byte[]{0x04, 0x01}).contains("1025 hosts, over 1024"));
        assertTrue(refusal(new byte[HistoryHostList.MAX_BYTES + 1]).contains("over " + HistoryHostList.MAX_BYTES));
        assertTrue(refusal(ascii("\u0000\u0002\u0001a")).contains("cut short after 1 of 2"));
        assertTrue(refusal(ascii("\u0000\u0001\u0009abc")).contains("cut short in host 1"));
        assertTrue(refusal(ascii("\u0000\u0001\u0002..")).contains("'..'"));
        assertTrue(refusal(ascii("\u0000\u0001\u0003a/b")).contains("'a/b'"));
        assertTrue(refusal(ascii("\u0000\u0001\u0003a\u0000b")).contains("'a?b'"), "a control character is not printed");
        assertTrue(refusal(ascii("\u0000\u0002\u0001a\u0001a")).contains("names a twice"));
        assertTrue(refusal(ascii("\u0000\u0001\u0001a!")).contains("1 bytes after its 1 hosts"));
        byte[] longName = new byte[3 + 200];
        longName[1] = 1;
        longName[2] = (byte) 200;
        java.util.Arrays.fill(longName, 3, longName.length, (byte) 'a');
        String refused = refusal(longName);
        assertTrue(refused.contains("at most 63") && refused.length() < 200, "a long name is cut in the message: " + refused);
    }

    @Test
    void aReplyIsReadOnceReleasedAndRefusedAsAProtocolError() {
        io.netty.buffer.ByteBuf good = io.netty.buffer.Unpooled.wrappedBuffer(HistoryHostList.write(List.of("c")));
        assertEquals(List.of("c"), HistoryHostList.fromReply(good));
        assertEquals(0, good.refCnt(), "released");
        io.netty.buffer.ByteBuf big = io.netty.buffer.Unpooled.buffer().writeZero(HistoryHostList.MAX_BYTES + 1);
        io.procsys.posix.ErrnoException e = assertThrows(io.procsys.posix.ErrnoException.class, () -> HistoryHostList.fromReply(big));
        assertEquals(io.procsys.posix.Errno.EPROTO, e.errno());
        assertTrue(e.getMessage().startsWith("refused its list of hosts: a listing of " + (HistoryHostList.MAX_BYTES + 1) + " bytes"), e.getMessage());
        assertEquals(0, big.refCnt(), "released when refused too");
    }
}
