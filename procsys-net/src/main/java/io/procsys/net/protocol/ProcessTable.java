package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One host's process table: what ps, top, htop, pgrep and pstree read of every process, taken by
 * the agent in one pass and sent as one reply, so a cluster mount answers those reads without a
 * round trip per file.
 *
 * <p>Layout (all integers big-endian, strings as in {@link MessageCodec}):
 * <pre>
 * u8 version | u8 flags (1: truncated, some processes left out)
 * names of a process directory's entries | names of a thread directory's entries   (u16 count + strings)
 * the root listing                                                                 (as in a Listing reply)
 * then records until the end: i32 pid | u32 length | items
 * item: path (relative to the pid directory, "" is the directory) | u8 kind | body
 *   ATTRIBUTES: attributes          ERROR: i32 errno
 *   FILE: attributes, u32 length, bytes     LINK: attributes, text     LISTING: attributes, entries
 * </pre>
 * The reader trusts nothing: it checks every length and name once, up front, and refuses the whole
 * table (CorruptedFrameException) if anything is off. Then it keeps the bytes and an index of
 * records by pid; items are found by scanning their record, so the heap holds one map entry per
 * process whatever the table's size.
 */
public final class ProcessTable {
    public static final int VERSION = 1;
    public static final int TRUNCATED = 1;
    /** Largest table an agent sends and a client keeps (per host). */
    public static final int MAX_BYTES = 8 << 20;
    /** Linux pids are below 2^22 (PID_MAX_LIMIT on 64-bit). */
    public static final int PID_LIMIT = 1 << 22;
    static final int ATTRIBUTES = 0, ERROR = 1, FILE = 2, LINK = 3, LISTING = 4;
    private static final int MAX_NAMES = 1024;
    private static final int ATTRIBUTE_BYTES = 12 + 6 * 8;

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
    private final Set<String> processNames;
    private final Set<String> threadNames;
    private final List<ExportedTree.Entry> root;
    private final Map<Integer, Span> records;
    /** The root's names, and thread id → process from every task/ listing: built on first use, then O(1). */
    private volatile Set<String> rootNames;
    private volatile Map<Integer, Integer> processOfThread;

    private ProcessTable(ByteBuf bytes, boolean truncated, Set<String> processNames, Set<String> threadNames,
                         List<ExportedTree.Entry> root, Map<Integer, Span> records) {
        this.bytes = bytes;
        this.truncated = truncated;
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
            boolean truncated = (in.readUnsignedByte() & TRUNCATED) != 0;
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
            return new ProcessTable(bytes, truncated, processNames, threadNames, root, records);
        } catch (RuntimeException e) {
            bytes.release();
            throw e instanceof CorruptedFrameException ? e : new CorruptedFrameException("bad table: " + e, e);
        }
    }

    private static Set<String> readNames(ByteBuf in) {
        int count = MessageCodec.readShort(in);
        if (count > MAX_NAMES) throw new CorruptedFrameException(count + " names");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) names.add(checkedName(MessageCodec.readString(in)));
        return Set.copyOf(names);
    }

    /** A name as one directory entry: not empty, not "." or "..", no "/". */
    private static String checkedName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new CorruptedFrameException("bad entry name '" + name + "'");
        }
        return name;
    }

    private static List<ExportedTree.Entry> uniqueValidEntries(List<ExportedTree.Entry> entries) {
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
    private static void skipItem(ByteBuf in) {
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

    /** A pid or thread id directory name: 1 to 7 digits, no leading zero (ids are below {@link #PID_LIMIT}). */
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

    /** Writes a table, record by record, within {@link #MAX_BYTES}. */
    public static final class Writer {
        private final ByteBuf out;
        private final int limit;
        private final int flagsAt;
        private int recordStart = -1;

        public Writer(ByteBuf out, int limit, Set<String> processNames, Set<String> threadNames, List<ExportedTree.Entry> root) {
            this.out = out;
            this.limit = limit;
            out.writeByte(VERSION);
            flagsAt = out.writerIndex();
            out.writeByte(0);
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
                out.setByte(flagsAt, TRUNCATED);
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

    @Override
    public String toString() {
        return "ProcessTable[" + records.size() + " processes, " + size() + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
