package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.tree.ExportedTree;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.procsys.net.protocol.ProcessTableFormat.*;

/**
 * The checks of a received process table ({@link ProcessTable#read}): every length, kind and name
 * once, up front, allocating nothing per item; anything off is a CorruptedFrameException.
 */
final class ProcessTableChecker {
    private ProcessTableChecker() {}

    static Set<String> readNames(ByteBuf in) {
        int count = MessageCodec.readShort(in);
        if (count > MAX_NAMES) throw new CorruptedFrameException(count + " names");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) names.add(checkedName(MessageCodec.readString(in)));
        return Set.copyOf(names);
    }

    /** A name as one directory entry: not empty, not "." or "..", no "/". */
    static String checkedName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new CorruptedFrameException("bad entry name '" + name + "'");
        }
        return name;
    }

    static List<ExportedTree.Entry> uniqueValidEntries(List<ExportedTree.Entry> entries) {
        Set<String> seen = new HashSet<>();
        List<ExportedTree.Entry> out = new ArrayList<>(entries.size());
        for (ExportedTree.Entry e : entries) {
            if (seen.add(checkedName(e.name()))) out.add(e);
        }
        return List.copyOf(out);
    }

    /**
     * Checks one item in place, allocating nothing: the path's components and every listed name
     * are plain names, every length fits, the kind is known. (The table is checked whole when it
     * arrives; items are decoded only when asked for.)
     */
    static void skipItem(ByteBuf in) {
        skipChecked(in, true);
        MessageCodec.need(in, 1);
        int kind = in.readUnsignedByte();
        if (kind == ERROR) {
            MessageCodec.need(in, 4);
            in.skipBytes(4);
            return;
        }
        MessageCodec.need(in, ATTRIBUTE_BYTES);
        in.skipBytes(ATTRIBUTE_BYTES);
        switch (kind) {
            case ATTRIBUTES -> { }
            case FILE -> {
                int length = MessageCodec.readInt(in);
                if (length < 0 || length > in.readableBytes()) throw new CorruptedFrameException("file of " + length + " bytes");
                in.skipBytes(length);
            }
            case LINK -> skipString(in);
            case LISTING -> {
                int count = MessageCodec.readInt(in);
                if (count < 0 || count > MessageCodec.MAX_ENTRIES || count > in.readableBytes() / 3) {
                    throw new CorruptedFrameException("listing of " + count + " entries");
                }
                for (int i = 0; i < count; i++) {
                    skipChecked(in, false);
                    MessageCodec.need(in, 1);
                    if (in.readByte() != 0) {
                        MessageCodec.need(in, ATTRIBUTE_BYTES);
                        in.skipBytes(ATTRIBUTE_BYTES);
                    }
                }
            }
            default -> throw new CorruptedFrameException("item kind " + kind);
        }
    }

    /** Skips a string after checking it has no NUL. */
    private static void skipString(ByteBuf in) {
        int length = MessageCodec.readShort(in);
        if (length > MessageCodec.MAX_STRING) throw new CorruptedFrameException("string of " + length + " bytes");
        MessageCodec.need(in, length);
        if (in.indexOf(in.readerIndex(), in.readerIndex() + length, (byte) 0) >= 0) throw new CorruptedFrameException("NUL in string");
        in.skipBytes(length);
    }

    /** Skips a path ({@code path}: "" or names joined by '/') or a single name, checking its bytes as {@link #checkedName} would. */
    private static void skipChecked(ByteBuf in, boolean path) {
        int length = MessageCodec.readShort(in);
        if (length > MessageCodec.MAX_STRING) throw new CorruptedFrameException("string of " + length + " bytes");
        MessageCodec.need(in, length);
        int start = in.readerIndex(), end = start + length;
        if (length == 0 && path) return;
        int componentStart = start;
        for (int i = start; i <= end; i++) {
            byte b = i < end ? in.getByte(i) : (byte) '/';
            if (b == 0) throw new CorruptedFrameException("NUL in name");
            if (b != '/') continue;
            if (i < end && !path) throw new CorruptedFrameException("'/' in a name");
            int n = i - componentStart;
            boolean dots = (n == 1 && in.getByte(componentStart) == '.') || (n == 2 && in.getByte(componentStart) == '.' && in.getByte(componentStart + 1) == '.');
            if (n == 0 || dots) throw new CorruptedFrameException("bad name in a path");
            componentStart = i + 1;
        }
        in.skipBytes(length);
    }
}
