package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.procsys.net.protocol.ProcessTableFormat.*;

/** Writes a process table ({@link ProcessTableFormat}), record by record, within a limit ({@link ProcessTableFormat#MAX_BYTES} at most). */
public final class ProcessTableWriter {
    private final ByteBuf out;
    private final int limit;
    private final int flagsAt;
    private int recordStart = -1;

    public ProcessTableWriter(ByteBuf out, int limit, Set<String> processNames, Set<String> threadNames, List<ExportedTree.Entry> root) {
        this(out, limit, ALL_PARTS, processNames, threadNames, root);
    }

    /** A table whose records hold {@code parts} of {@link ProcessTableFormat#PARTS}; all of them: the form every version reads. */
    public ProcessTableWriter(ByteBuf out, int limit, int parts, Set<String> processNames, Set<String> threadNames, List<ExportedTree.Entry> root) {
        this.out = out;
        this.limit = limit;
        out.writeByte(VERSION);
        flagsAt = out.writerIndex();
        if (parts == ALL_PARTS) {
            out.writeByte(0);
        } else {
            out.writeByte(PARTIAL).writeShort(parts);
        }
        writeNames(new LinkedHashSet<>(processNames));
        writeNames(new LinkedHashSet<>(threadNames));
        MessageCodec.writeEntries(out, root);
    }

    private void writeNames(Set<String> names) {
        List<String> list = names.stream().limit(MAX_NAMES).toList();
        out.writeShort(list.size());
        for (String n : list) MessageCodec.writeString(out, n);
    }

    public void beginProcess(int pid) {
        recordStart = out.writerIndex();
        out.writeInt(pid).writeInt(0);
    }

    /**
     * Closes the record; if the table would pass its limit the record is taken back, the
     * table is marked truncated, and false is returned (write no more).
     */
    public boolean endProcess() {
        if (out.writerIndex() > limit) {
            out.writerIndex(recordStart);
            out.setByte(flagsAt, out.getByte(flagsAt) | TRUNCATED);
            return false;
        }
        out.setInt(recordStart + 4, out.writerIndex() - recordStart - 8);
        return true;
    }

    public void error(String path, int errno) {
        MessageCodec.writeString(out, path);
        out.writeByte(ERROR).writeInt(errno);
    }

    public void attributes(String path, FileAttributes attributes) {
        item(path, ATTRIBUTES, attributes);
    }

    public void file(String path, FileAttributes attributes, MemorySegment bytes) {
        item(path, FILE, attributes);
        out.writeInt((int) bytes.byteSize());
        out.writeBytes(bytes.asByteBuffer());
    }

    public void link(String path, FileAttributes attributes, String text) {
        item(path, LINK, attributes);
        MessageCodec.writeString(out, text);
    }

    public void listing(String path, FileAttributes attributes, List<ExportedTree.Entry> entries) {
        item(path, LISTING, attributes);
        MessageCodec.writeEntries(out, entries);
    }

    private void item(String path, int kind, FileAttributes attributes) {
        MessageCodec.writeString(out, path);
        MessageCodec.writeAttributes(out.writeByte(kind), attributes);
    }

    /** Whether the table is already past its limit (stop early). */
    public boolean full() {
        return out.writerIndex() > limit;
    }

    public ByteBuf finish() {
        return out;
    }
}
