package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages to and from frame bodies ({@code type | id | body}; the length prefix is handled by
 * Netty's LengthFieldPrepender / LengthFieldBasedFrameDecoder in front of this codec). Decoding
 * trusts nothing: every length is bounded and a malformed frame is a CorruptedFrameException.
 */
public final class MessageCodec extends MessageToMessageCodec<ByteBuf, Message> {
    static final int HELLO = 1, WELCOME = 2, STAT = 10, LIST = 11, READ = 12, READLINK = 13, TABLE = 14,
            SIGNAL = 15, SET_PRIORITY = 16, IOPRIO_GET = 17,
            ATTRIBUTES = 20, LISTING = 21, DATA = 22, LINK_TEXT = 23, ERROR = 24, DONE = 25,
            SCOPE = 26, SCOPE_REPLY = 27, HISTORY = 30, ARCHIVE_WHERE = 31, ARCHIVE_PART = 32, HISTORY_HOSTS = 33;
    /** A user name in an action: what useradd accepts is far shorter (32); anything longer is refused. */
    static final int MAX_USER = 256;
    static final int MAX_STRING = 4096;
    static final int MAX_ENTRIES = 1 << 20;
    private static final int ABSENT = -1;

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        if (msg instanceof Message.Data data) {
            // header in a small buffer, file bytes appended without copying
            ByteBuf header = ctx.alloc().buffer(5);
            header.writeByte(DATA).writeInt(data.id());
            out.add(ctx.alloc().compositeBuffer(2).addComponents(true, header, data.bytes()));
            return;
        }
        ByteBuf buf = ctx.alloc().buffer();
        switch (msg) {
            case Message.Hello h -> writeString(buf.writeByte(HELLO).writeInt(0).writeShort(h.version()), h.node());
            case Message.Welcome w -> {
                writeString(buf.writeByte(WELCOME).writeInt(0).writeShort(w.version()), w.node());
                if (w.version() >= Message.WAITS_VERSION) buf.writeInt((int) w.waitsMillis()); // an older client reads no more
            }
            case Message.Stat r -> writeString(buf.writeByte(STAT).writeInt(r.id()), r.path());
            case Message.ListDirectory r -> writeString(buf.writeByte(LIST).writeInt(r.id()), r.path());
            case Message.Read r -> writeString(buf.writeByte(READ).writeInt(r.id()), r.path());
            case Message.Readlink r -> writeString(buf.writeByte(READLINK).writeInt(r.id()), r.path());
            case Message.Table r -> {
                writeString(buf.writeByte(TABLE).writeInt(r.id()), r.path());
                buf.writeBoolean(r.threads());
                // all parts: the form of versions 2 and 3, which an older agent still reads
                if (r.parts() != ProcessTableFormat.ALL_PARTS || r.subtree()) buf.writeShort(r.parts());
                if (r.subtree()) buf.writeBoolean(true); // version 5 only
            }
            case Message.Signal a -> writeString(buf.writeByte(SIGNAL).writeInt(a.id()).writeInt(a.pid()).writeLong(a.startTime())
                    .writeInt(a.signal()), a.user()).writeInt(a.uid());
            case Message.SetPriority a -> writeString(buf.writeByte(SET_PRIORITY).writeInt(a.id()).writeInt(a.pid()).writeLong(a.startTime())
                    .writeInt(a.nice()), a.user()).writeInt(a.uid());
            case Message.IoprioGet a -> buf.writeByte(IOPRIO_GET).writeInt(a.id()).writeInt(a.pid()).writeLong(a.startTime());
            case Message.History h -> writeString(buf.writeByte(HISTORY).writeInt(h.id()), h.host()).writeLong(h.fromMillis()).writeLong(h.toMillis());
            case Message.ArchiveWhere a -> buf.writeByte(ARCHIVE_WHERE).writeInt(a.id());
            case Message.HistoryHosts h -> buf.writeByte(HISTORY_HOSTS).writeInt(h.id());
            case Message.ArchivePart a -> buf.writeByte(ARCHIVE_PART).writeInt(a.id()).writeBytes(a.entry()).writeInt(a.offset())
                    .writeShort(a.part().length).writeBytes(a.part());
            case Message.Done d -> buf.writeByte(DONE).writeInt(d.id()).writeInt(d.value());
            case Message.Attributes a -> writeAttributes(buf.writeByte(ATTRIBUTES).writeInt(a.id()), a.attributes());
            case Message.Listing l -> writeEntries(buf.writeByte(LISTING).writeInt(l.id()), l.entries());
            case Message.LinkText t -> writeString(buf.writeByte(LINK_TEXT).writeInt(t.id()), t.text());
            case Message.Error e -> buf.writeByte(ERROR).writeInt(e.id()).writeInt(e.errno());
            case Message.Scope r -> ScopeCodec.writeScope(buf.writeByte(SCOPE).writeInt(r.id()), r.specs());
            case Message.ScopeReply r -> ScopeCodec.writeState(buf.writeByte(SCOPE_REPLY).writeInt(r.id()), r.state());
            case Message.Data d -> throw new IllegalStateException("handled above");
        }
        out.add(buf);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 5) throw new CorruptedFrameException("frame shorter than its header");
        int type = in.readUnsignedByte();
        int id = in.readInt();
        Message msg = switch (type) {
            case HELLO -> new Message.Hello(readShort(in), readString(in));
            case WELCOME -> welcome(readShort(in), readString(in), in);
            case STAT -> new Message.Stat(id, readString(in));
            case LIST -> new Message.ListDirectory(id, readString(in));
            case READ -> new Message.Read(id, readString(in));
            case READLINK -> new Message.Readlink(id, readString(in));
            case TABLE -> new Message.Table(id, readString(in), readBoolean(in), readParts(in), in.isReadable() && readBoolean(in));
            case SIGNAL -> new Message.Signal(id, readInt(in), readLong(in), readInt(in), readUser(in), readInt(in));
            case SET_PRIORITY -> new Message.SetPriority(id, readInt(in), readLong(in), readInt(in), readUser(in), readInt(in));
            case IOPRIO_GET -> new Message.IoprioGet(id, readInt(in), readLong(in));
            case HISTORY -> history(id, readString(in), readLong(in), readLong(in));
            case ARCHIVE_WHERE -> new Message.ArchiveWhere(id);
            case HISTORY_HOSTS -> new Message.HistoryHosts(id);
            case ARCHIVE_PART -> archivePart(id, in);
            case DONE -> new Message.Done(id, readInt(in));
            case ATTRIBUTES -> new Message.Attributes(id, readAttributes(in));
            case LISTING -> new Message.Listing(id, readEntries(in));
            case DATA -> new Message.Data(id, in.readRetainedSlice(in.readableBytes()));
            case LINK_TEXT -> new Message.LinkText(id, readString(in));
            case ERROR -> new Message.Error(id, readInt(in));
            case SCOPE -> new Message.Scope(id, ScopeCodec.readScope(in));
            case SCOPE_REPLY -> new Message.ScopeReply(id, ScopeCodec.readState(in));
            default -> throw new CorruptedFrameException("unknown message type " + type);
        };
        if (in.isReadable()) {
            if (msg instanceof Message.Data d) d.bytes().release();
            throw new CorruptedFrameException("trailing bytes after message type " + type);
        }
        out.add(msg);
    }

    static void need(ByteBuf in, int bytes) {
        if (in.readableBytes() < bytes) throw new CorruptedFrameException("truncated frame");
    }

    static boolean readBoolean(ByteBuf in) {
        need(in, 1);
        int b = in.readUnsignedByte();
        if (b > 1) throw new CorruptedFrameException("flag " + b);
        return b == 1;
    }

    /** A Table's parts: absent (an older client) is all of them. */
    private static Message.Welcome welcome(int version, String node, ByteBuf in) {
        if (version < Message.WAITS_VERSION) return new Message.Welcome(version, node);
        long waits = readInt(in) & 0xffff_ffffL;
        if (waits > Message.MAX_WAITS_MILLIS) throw new CorruptedFrameException("an agent's wait of " + waits + " ms");
        return new Message.Welcome(version, node, waits);
    }

    private static Message.History history(int id, String host, long from, long to) {
        if (!Message.spanFits(from, to)) throw new CorruptedFrameException("history from " + from + " to " + to);
        return new Message.History(id, host, from, to);
    }

    /** An entry, an offset, and 1 to {@link Message#MAX_ARCHIVE_PART} bytes of the block. */
    private static Message.ArchivePart archivePart(int id, ByteBuf in) {
        byte[] entry = readBytes(in, Message.ARCHIVE_ENTRY_BYTES);
        int offset = readInt(in);
        int length = readShort(in);
        if (offset < 0 || length < 1 || length > Message.MAX_ARCHIVE_PART) throw new CorruptedFrameException("archive part of " + length + " bytes at " + offset);
        return new Message.ArchivePart(id, entry, offset, readBytes(in, length));
    }

    private static byte[] readBytes(ByteBuf in, int length) {
        need(in, length);
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    private static int readParts(ByteBuf in) {
        if (!in.isReadable()) return ProcessTableFormat.ALL_PARTS;
        int parts = readShort(in);
        if ((parts & ~ProcessTableFormat.ALL_PARTS) != 0) throw new CorruptedFrameException("table parts " + parts);
        return parts;
    }

    static int readShort(ByteBuf in) {
        need(in, 2);
        return in.readUnsignedShort();
    }

    static int readInt(ByteBuf in) {
        need(in, 4);
        return in.readInt();
    }

    static long readLong(ByteBuf in) {
        need(in, 8);
        return in.readLong();
    }

    /** A user name: at most {@link #MAX_USER} bytes, not empty, no NUL, no control character, no '/' or ':'. */
    static String readUser(ByteBuf in) {
        String user = readString(in);
        if (user.isEmpty() || user.getBytes(StandardCharsets.UTF_8).length > MAX_USER) throw new CorruptedFrameException("user name of " + user.length() + " characters");
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/' || c == ':') throw new CorruptedFrameException("user name with character " + (int) c);
        }
        return user;
    }

    static ByteBuf writeString(ByteBuf buf, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING) throw new IllegalArgumentException("string longer than " + MAX_STRING + " bytes");
        return buf.writeShort(bytes.length).writeBytes(bytes);
    }

    static String readString(ByteBuf in) {
        int length = readShort(in);
        if (length > MAX_STRING) throw new CorruptedFrameException("string of " + length + " bytes");
        need(in, length);
        String s = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
        if (s.indexOf('\0') >= 0) throw new CorruptedFrameException("NUL in string");
        return s;
    }

    static void writeAttributes(ByteBuf buf, FileAttributes a) {
        buf.writeInt(a.mode()).writeInt(a.uid()).writeInt(a.gid()).writeLong(a.nlink()).writeLong(a.size())
                .writeLong(a.inode()).writeLong(a.atimeSeconds()).writeLong(a.mtimeSeconds()).writeLong(a.ctimeSeconds());
    }

    static FileAttributes readAttributes(ByteBuf in) {
        need(in, 12 + 6 * 8);
        return new FileAttributes(in.readInt(), in.readInt(), in.readInt(), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    static void writeEntries(ByteBuf buf, List<ExportedTree.Entry> entries) {
        buf.writeInt(entries.size());
        for (ExportedTree.Entry e : entries) {
            writeString(buf, e.name());
            if (e.attributes() == null) buf.writeByte(0);
            else writeAttributes(buf.writeByte(1), e.attributes());
        }
    }

    static List<ExportedTree.Entry> readEntries(ByteBuf in) {
        int count = readInt(in);
        if (count < 0 || count > MAX_ENTRIES || count > in.readableBytes() / 3) {
            throw new CorruptedFrameException("listing of " + count + " entries");
        }
        List<ExportedTree.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = readString(in);
            need(in, 1);
            entries.add(new ExportedTree.Entry(name, in.readByte() == 0 ? null : readAttributes(in)));
        }
        return entries;
    }
}
