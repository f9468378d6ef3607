package io.procsys.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tree node's reply upward: what it carries survives the trip, and a hostile one is refused whole. */
class TableBundleTest {
    static ByteBuf bytes(String text) {
        return Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    static ByteBuf copy(ByteBuf composite) {
        ByteBuf flat = Unpooled.directBuffer(composite.readableBytes()).writeBytes(composite);
        composite.release();
        return flat;
    }

    @Test
    void partsRoundTripWithPathsTablesAndErrors() {
        List<TableBundle.Part> below = List.of(TableBundle.Part.of("", bytes("\1leaf-table")),
                TableBundle.Part.failed("hosts/late", Errno.ETIMEDOUT, "late at mid"));
        List<TableBundle.Part> parts = new ArrayList<>();
        parts.add(TableBundle.Part.of("", bytes("\1own-table")));
        for (TableBundle.Part p : below) parts.add(p.below("mid"));
        ByteBuf bundle = copy(TableBundle.write(ByteBufAllocator.DEFAULT, parts));
        assertTrue(TableBundle.isBundle(bundle));
        assertFalse(TableBundle.isBundle(bytes("\1a table")));
        List<TableBundle.Part> read = TableBundle.read(bundle);
        assertEquals(List.of("", "hosts/mid", "hosts/mid/hosts/late"), read.stream().map(TableBundle.Part::path).toList());
        assertEquals("\1own-table", read.get(0).table().toString(StandardCharsets.US_ASCII));
        assertEquals("\1leaf-table", read.get(1).table().toString(StandardCharsets.US_ASCII));
        assertNull(read.get(2).table());
        assertEquals(Errno.ETIMEDOUT, read.get(2).errno());
        assertEquals("late at mid", read.get(2).why());
        read.forEach(TableBundle.Part::release);
        assertEquals(1, bundle.refCnt(), "the parts held the bundle, and let it go");
        bundle.release();
    }

    /** A bundle of one part at {@code path}, written by hand (the writer refuses nothing a reader must). */
    static ByteBuf handMade(int count, String path, int errno, int length) {
        ByteBuf b = Unpooled.buffer().writeByte('B').writeByte(1).writeShort(count);
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        b.writeShort(p.length).writeBytes(p).writeInt(errno).writeShort(0).writeInt(length).writeZero(Math.max(0, Math.min(length, 64)));
        return b;
    }

    @Test
    void hostileBundlesAreRefusedWhole() {
        for (String bad : List.of("hosts", "hosts/", "hosts/..", "hosts/a/b", "x/a", "/hosts/a", "hosts/a/hosts/.x", "hosts/a b",
                "hosts/a/hosts/b/hosts/c/hosts/d/hosts/e/hosts/f/hosts/g/hosts/h/hosts/i")) {
            assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, bad, 0, 8)), bad);
        }
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(TableBundle.MAX_PARTS + 1, "", 0, 8)), "too many parts");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(2, "hosts/a", 0, 8)), "a part claimed but absent");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, "hosts/a", 0, ProcessTableFormat.MAX_BYTES + 1)), "a part past a table's bound");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, "hosts/a", 0, 1 << 30)), "a part past the bytes there");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, "hosts/a", Errno.EIO, 8)), "an error with a table");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, "hosts/a", 0, 0)), "neither a table nor an error");
        ByteBuf twice = Unpooled.buffer().writeByte('B').writeByte(1).writeShort(2);
        for (int i = 0; i < 2; i++) twice.writeShort(7).writeBytes("hosts/a".getBytes(StandardCharsets.US_ASCII)).writeInt(0).writeShort(0).writeInt(1).writeByte(1);
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(twice), "one host twice");
        ByteBuf trailing = handMade(1, "hosts/a", 0, 8).writeByte(0);
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(trailing), "trailing bytes");
        assertThrows(CorruptedFrameException.class, () -> TableBundle.read(handMade(1, "hosts/a", 0, 8).setByte(1, 9)), "a later version");
        ByteBuf ok = handMade(1, "hosts/a.b_c-1/hosts/Z9", 0, 8);
        List<TableBundle.Part> read = TableBundle.read(ok);
        assertEquals("hosts/a.b_c-1/hosts/Z9", read.getFirst().path());
        read.forEach(TableBundle.Part::release);
    }

    @Test
    void partsPastTheBoundAreSentAsErrorsNamingTheirHosts() {
        int big = ProcessTableFormat.MAX_BYTES; // four of these pass 32 MiB
        List<TableBundle.Part> parts = new ArrayList<>();
        for (int i = 0; i < 5; i++) parts.add(TableBundle.Part.of("hosts/h" + i, Unpooled.directBuffer(big).writeZero(big)));
        ByteBuf bundle = copy(TableBundle.write(ByteBufAllocator.DEFAULT, parts));
        assertTrue(bundle.readableBytes() <= TableBundle.MAX_BYTES, bundle.readableBytes() + " bytes");
        List<TableBundle.Part> read = TableBundle.read(bundle);
        assertEquals(5, read.size(), "every host named");
        assertEquals(3, read.stream().filter(p -> p.table() != null).count(), "three fit");
        assertEquals(Errno.EFBIG, read.get(4).errno());
        assertTrue(read.get(4).why().contains("MiB"), read.get(4).why());
        read.forEach(TableBundle.Part::release);
        bundle.release();
    }
}
