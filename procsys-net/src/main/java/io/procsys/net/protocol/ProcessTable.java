package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.procsys.net.protocol.ProcessTableChecker.readNames;
import static io.procsys.net.protocol.ProcessTableChecker.skipItem;
import static io.procsys.net.protocol.ProcessTableChecker.uniqueValidEntries;
import static io.procsys.net.protocol.ProcessTableFormat.*;

/**
 * One host's process table: what ps, top, htop, pgrep and pstree read of every process, taken by
 * the agent in one pass and sent as one reply, so a cluster mount answers those reads without a
 * round trip per file.
 *
 * <p>The format is {@link ProcessTableFormat}'s, written by {@link ProcessTableWriter}. The reader
 * trusts nothing: it checks every length and name once, up front ({@link ProcessTableChecker}), and
 * refuses the whole table (CorruptedFrameException) if anything is off. Then it keeps the bytes and an index of
 * records by pid; items are found by scanning their record, so the heap holds one map entry per
 * process whatever the table's size.
 */
public final class ProcessTable {
    /** One item of a record: its attributes or errno, and what it holds (file bytes, link text, or listing). */
    public record Item(int errno, FileAttributes attributes, int fileOffset, int fileLength, String link,
                       List<ExportedTree.Entry> listing) {
        public boolean isFile() {
            return fileOffset >= 0;
        }
    }

    private record Span(int offset, int length) {}

    private final ByteBuf bytes;
    private final boolean truncated;
    private final int parts;
    private final Set<String> processNames;
    private final Set<String> threadNames;
    private final List<ExportedTree.Entry> root;
    private final Map<Integer, Span> records;
    /** The root's names, and thread id → process from every task/ listing: built on first use, then O(1). */
    private volatile Set<String> rootNames;
    private volatile Map<Integer, Integer> processOfThread;

    private ProcessTable(ByteBuf bytes, boolean truncated, int parts, Set<String> processNames, Set<String> threadNames,
                         List<ExportedTree.Entry> root, Map<Integer, Span> records) {
        this.bytes = bytes;
        this.truncated = truncated;
        this.parts = parts;
        this.processNames = processNames;
        this.threadNames = threadNames;
        this.root = root;
        this.records = records;
    }

    /**
     * Checks and indexes a received table. The table keeps {@code bytes} (released by
     * {@link #release()}); on failure they are released here and CorruptedFrameException says why.
     */
    public static ProcessTable read(ByteBuf bytes) {
        try {
            if (bytes.readableBytes() > MAX_BYTES) throw new CorruptedFrameException("table of " + bytes.readableBytes() + " bytes");
            ByteBuf in = bytes.duplicate();
            MessageCodec.need(in, 2);
            int version = in.readUnsignedByte();
            if (version != VERSION) throw new CorruptedFrameException("table version " + version);
            int flags = in.readUnsignedByte();
            boolean truncated = (flags & TRUNCATED) != 0;
            int parts = (flags & PARTIAL) == 0 ? ALL_PARTS : MessageCodec.readShort(in) & ALL_PARTS;
            Set<String> processNames = readNames(in);
            Set<String> threadNames = readNames(in);
            List<ExportedTree.Entry> root = uniqueValidEntries(MessageCodec.readEntries(in));
            Map<Integer, Span> records = new HashMap<>();
            while (in.isReadable()) {
                int pid = MessageCodec.readInt(in);
                int length = MessageCodec.readInt(in);
                if (pid <= 0 || pid >= PID_LIMIT) throw new CorruptedFrameException("record of pid " + pid);
                if (length < 0 || length > in.readableBytes()) throw new CorruptedFrameException("record of " + length + " bytes");
                int offset = in.readerIndex();
                ByteBuf record = in.readSlice(length);
                while (record.isReadable()) skipItem(record);
                // a pid twice: the first record stands
                records.putIfAbsent(pid, new Span(offset, length));
            }
            return new ProcessTable(bytes, truncated, parts, processNames, threadNames, root, records);
        } catch (RuntimeException e) {
            bytes.release();
            throw e instanceof CorruptedFrameException ? e : new CorruptedFrameException("bad table: " + e, e);
        }
    }

    /** Reads (and checks) an item's kind and body. */
    private static Item readBody(ByteBuf in) {
        MessageCodec.need(in, 1);
        int kind = in.readUnsignedByte();
        if (kind == ERROR) return new Item(MessageCodec.readInt(in), null, -1, 0, null, null);
        FileAttributes attributes = MessageCodec.readAttributes(in);
        return switch (kind) {
            case ATTRIBUTES -> new Item(0, attributes, -1, 0, null, null);
            case FILE -> {
                int length = MessageCodec.readInt(in);
                if (length < 0 || length > in.readableBytes()) throw new CorruptedFrameException("file of " + length + " bytes");
                int offset = in.readerIndex();
                in.skipBytes(length);
                yield new Item(0, attributes, offset, length, null, null);
            }
            case LINK -> new Item(0, attributes, -1, 0, MessageCodec.readString(in), null);
            case LISTING -> {
                yield new Item(0, attributes, -1, 0, null, uniqueValidEntries(MessageCodec.readEntries(in)));
            }
            default -> throw new CorruptedFrameException("item kind " + kind);
        };
    }

    public boolean truncated() {
        return truncated;
    }

    /** Whether the agent was asked for every {@code part} (bits of {@link ProcessTableFormat#PARTS}): a missing item of one is then too big or gone, not left out. */
    public boolean holds(int part) {
        return (parts & part) == part;
    }

    /** The tree's root listing as the agent saw it. */
    public List<ExportedTree.Entry> root() {
        return root;
    }

    public boolean hasProcess(int pid) {
        return records.containsKey(pid);
    }

    /** Whether the root listing has {@code name} (a process may be listed yet have no record: the table was full). */
    public boolean lists(String name) {
        Set<String> names = rootNames;
        if (names == null) {
            names = new java.util.HashSet<>(root.size() * 2);
            for (ExportedTree.Entry e : root) names.add(e.name());
            rootNames = names;
        }
        return names.contains(name);
    }

    /** The process whose task/ listing has thread {@code tid}, or -1 when no process of the table lists it. */
    public int processOf(int tid) {
        Map<Integer, Integer> threads = processOfThread;
        if (threads == null) {
            threads = new java.util.HashMap<>();
            for (int pid : records.keySet()) {
                Item task = find(pid, "task");
                if (task == null || task.listing() == null) continue;
                for (ExportedTree.Entry e : task.listing()) {
                    if (isPidName(e.name())) threads.putIfAbsent(Integer.parseInt(e.name()), pid);
                }
            }
            processOfThread = threads;
        }
        return threads.getOrDefault(tid, -1);
    }

    /** A pid or thread id directory name: 1 to 7 digits, no leading zero (ids are below {@link ProcessTableFormat#PID_LIMIT}). */
    private static boolean isPidName(String name) {
        if (name.isEmpty() || name.length() > 7 || name.charAt(0) == '0') return false;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return false;
        }
        return Integer.parseInt(name) < PID_LIMIT;
    }

    /** Entries a process directory has (to answer ENOENT for others without asking). */
    public Set<String> processNames() {
        return processNames;
    }

    public Set<String> threadNames() {
        return threadNames;
    }

    /** The item at {@code path} (relative to the pid directory) of process {@code pid}, or null. */
    public Item find(int pid, String path) {
        Span span = records.get(pid);
        if (span == null) return null;
        byte[] wanted = path.getBytes(StandardCharsets.UTF_8);
        ByteBuf in = bytes.slice(span.offset, span.length);
        while (in.isReadable()) {
            int length = in.readUnsignedShort();
            boolean match = length == wanted.length && equalBytes(in, in.readerIndex(), wanted);
            in.skipBytes(length);
            if (match) {
                Item item = readBody(in);
                // offsets inside the slice → offsets in the table
                return item.isFile() ? new Item(0, item.attributes(), span.offset + item.fileOffset(), item.fileLength(), null, null) : item;
            }
            skipBody(in);
        }
        return null;
    }

    /** Skips an item's body (the table was checked when read). */
    private static void skipBody(ByteBuf in) {
        int kind = in.readUnsignedByte();
        if (kind == ERROR) {
            in.skipBytes(4);
            return;
        }
        in.skipBytes(ATTRIBUTE_BYTES);
        switch (kind) {
            case FILE -> in.skipBytes(in.readInt());
            case LINK -> in.skipBytes(in.readUnsignedShort());
            case LISTING -> {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    in.skipBytes(in.readUnsignedShort());
                    if (in.readByte() != 0) in.skipBytes(ATTRIBUTE_BYTES);
                }
            }
            default -> { }
        }
    }

    private static boolean equalBytes(ByteBuf in, int at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (in.getByte(at + i) != wanted[i]) return false;
        }
        return true;
    }

    /** The table's bytes (for file items: a region of them; retain while in use). */
    public ByteBuf bytes() {
        return bytes;
    }

    public int size() {
        return bytes.readableBytes();
    }

    public void release() {
        bytes.release();
    }

    @Override
    public String toString() {
        return "ProcessTable[" + records.size() + " processes, " + size() + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
