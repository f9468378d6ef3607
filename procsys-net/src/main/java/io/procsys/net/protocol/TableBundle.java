package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.posix.Errno;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tree node's answer to a subtree {@link Message.Table} request: its own process table and the
 * table of every host below it, in one reply per node (docs/scale.md). Each part is named by its
 * path in the node's view ("" for the node itself, {@code hosts/h17}, {@code hosts/mid/hosts/leaf}
 * a level further down); a host whose table did not come (late, down, refused) is a part with its
 * errno and why, so the level above can say which host it left out.
 *
 * <p>Layout (integers big-endian, strings as in {@link MessageCodec}):
 * <pre>
 * u8 'B' | u8 version | u16 count
 * then per part: path | i32 errno | why | u32 length | a process table of that length (0 with an errno)
 * </pre>
 * A reply that does not start with 'B' is one table (its first byte is the table's version): an
 * agent that is no tree node, or an older one.
 */
public final class TableBundle {
    private TableBundle() {}

    public static final int MARK = 'B';
    public static final int VERSION = 1;
    /** The most parts a bundle holds (hosts in one subtree). */
    public static final int MAX_PARTS = 4096;
    /** The largest bundle a node sends and a client takes. */
    public static final int MAX_BYTES = 32 << 20;
    /** How deep a path may go (levels below the node). */
    public static final int MAX_DEPTH = 8;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String HOSTS = "hosts/";

    /** One host's table ({@code table}, owned by whoever holds the part) or why it has none ({@code errno} ≠ 0). */
    public record Part(String path, int errno, String why, ByteBuf table) {
        public static Part of(String path, ByteBuf table) {
            return new Part(path, 0, "", table);
        }

        public static Part failed(String path, int errno, String why) {
            return new Part(path, errno, why, null);
        }

        /** This part as seen one level up, through host {@code name} of that level. */
        public Part below(String name) {
            return new Part(HOSTS + name + (path.isEmpty() ? "" : "/" + path), errno, why, table);
        }

        public void release() {
            if (table != null) table.release();
        }
    }

    /** Whether {@code reply} is a bundle, not a single table. */
    public static boolean isBundle(ByteBuf reply) {
        return reply.isReadable() && reply.getUnsignedByte(reply.readerIndex()) == MARK;
    }

    /**
     * The parts of {@code bundle}, each table a retained slice of it (the caller releases every
     * part and the bundle). A part whose path is malformed or repeated, too deep, or a bundle past
     * its bounds, is refused whole: CorruptedFrameException.
     */
    public static List<Part> read(ByteBuf bundle) {
        if (bundle.readableBytes() > MAX_BYTES) throw new CorruptedFrameException("bundle of " + bundle.readableBytes() + " bytes");
        ByteBuf in = bundle.duplicate();
        MessageCodec.need(in, 4);
        if (in.readUnsignedByte() != MARK) throw new CorruptedFrameException("not a bundle");
        int version = in.readUnsignedByte();
        if (version != VERSION) throw new CorruptedFrameException("bundle version " + version);
        int count = in.readUnsignedShort();
        if (count > MAX_PARTS) throw new CorruptedFrameException("bundle of " + count + " parts");
        List<Part> parts = new ArrayList<>(count);
        Set<String> paths = new HashSet<>();
        try {
            for (int i = 0; i < count; i++) {
                String path = MessageCodec.readString(in);
                if (!validPath(path)) throw new CorruptedFrameException("bundle part path '" + path + "'");
                if (!paths.add(path)) throw new CorruptedFrameException("bundle part " + path + " twice");
                int errno = MessageCodec.readInt(in);
                String why = MessageCodec.readString(in);
                int length = MessageCodec.readInt(in);
                if (length < 0 || length > ProcessTableFormat.MAX_BYTES || (errno != 0) != (length == 0)) {
                    throw new CorruptedFrameException("bundle part " + path + " of " + length + " bytes with errno " + errno);
                }
                MessageCodec.need(in, length);
                parts.add(errno != 0 ? Part.failed(path, errno, why) : Part.of(path, in.readRetainedSlice(length)));
            }
            if (in.isReadable()) throw new CorruptedFrameException("trailing bytes after a bundle");
        } catch (RuntimeException e) {
            parts.forEach(Part::release);
            throw e;
        }
        return parts;
    }

    /** A reason short enough for one line of `procsys status` (and for a string of the protocol). */
    private static String shortened(String why) {
        return why.length() <= 300 ? why : why.substring(0, 300) + "...";
    }

    /** "" or hosts/NAME, repeated (hosts/a/hosts/b) at most {@link #MAX_DEPTH} times. */
    static boolean validPath(String path) {
        if (path.isEmpty()) return true;
        String[] segments = path.split("/", -1);
        if (segments.length % 2 != 0 || segments.length / 2 > MAX_DEPTH) return false;
        for (int i = 0; i < segments.length; i += 2) {
            if (!segments[i].equals("hosts") || !NAME.matcher(segments[i + 1]).matches()) return false;
        }
        return true;
    }

    /**
     * A bundle of {@code parts} (taking over their tables: the bundle releases them). Parts past
     * {@link #MAX_BYTES} in all are sent as EFBIG, so the level above says which hosts this one
     * could not carry.
     */
    public static ByteBuf write(ByteBufAllocator alloc, List<Part> parts) {
        if (parts.size() > MAX_PARTS) throw new IllegalArgumentException(parts.size() + " parts");
        CompositeByteBuf out = alloc.compositeDirectBuffer(Math.max(2, parts.size() * 2 + 1));
        ByteBuf header = alloc.buffer(4).writeByte(MARK).writeByte(VERSION).writeShort(parts.size());
        out.addComponent(true, header);
        long size = header.readableBytes();
        for (Part p : parts) {
            int length = p.table() == null ? 0 : p.table().readableBytes();
            boolean fits = p.table() == null || size + length + 1024 <= MAX_BYTES;
            ByteBuf head = alloc.buffer(64);
            MessageCodec.writeString(head, p.path());
            head.writeInt(fits ? p.errno() : Errno.EFBIG);
            MessageCodec.writeString(head, fits ? shortened(p.why()) : "left out of the reply of the node above it: past " + (MAX_BYTES >> 20) + " MiB");
            head.writeInt(fits ? length : 0);
            out.addComponent(true, head);
            size += head.readableBytes();
            if (fits && p.table() != null) {
                out.addComponent(true, p.table());
                size += length;
            } else {
                p.release();
            }
        }
        return out;
    }
}
