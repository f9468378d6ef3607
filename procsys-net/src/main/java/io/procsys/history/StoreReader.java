package io.procsys.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads one host's recording ({@link DayFiles}) while it may still be written: an index entry
 * counts only whole, with its CRC right and its bytes inside the data file ({@link BlockEntry}).
 */
public final class StoreReader {
    private final Path dir;

    public StoreReader(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The days recorded, oldest first. */
    public List<LocalDate> days() {
        TreeSet<LocalDate> days = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                LocalDate day = DayFiles.dayOfFile(f.getFileName().toString());
                if (day != null && f.getFileName().toString().endsWith(DayFiles.INDEX)) days.add(day);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(days);
    }

    /** The valid entries of {@code day}'s index, in order. */
    public List<BlockEntry> entries(LocalDate day) {
        try {
            byte[] index = readAll(DayFiles.index(dir, day));
            long dataSize = size(DayFiles.data(dir, day));
            return valid(index, dataSize);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of {@code index} that are whole, right and inside a data file of {@code dataSize} bytes. */
    static List<BlockEntry> valid(byte[] index, long dataSize) {
        List<BlockEntry> out = new ArrayList<>();
        for (int at = 0; at + BlockEntry.BYTES <= index.length; at += BlockEntry.BYTES) {
            BlockEntry e = BlockEntry.decode(index, at);
            if (e != null && e.offset() + e.length() <= dataSize) out.add(e);
        }
        return out;
    }

    /** The compressed bytes of {@code entry} of {@code day}. */
    public byte[] read(LocalDate day, BlockEntry entry) throws IOException {
        try (FileChannel data = FileChannel.open(DayFiles.data(dir, day), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(entry.length());
            while (buf.hasRemaining()) {
                if (data.read(buf, entry.offset() + buf.position()) < 0) throw new IOException("data file shorter than its index");
            }
            return buf.array();
        }
    }

    /** Segments found for a time range, and whether the byte bound cut them short. */
    public record Found(List<List<Segment.Block>> segments, boolean truncated) {
        public int blocks() {
            return segments.stream().mapToInt(List::size).sum();
        }
    }

    /**
     * The segments that have frames in [{@code from}, {@code to}], and the one before {@code from}
     * when it ends at most {@code to − from} before it (its last frame is what a viewer at
     * {@code from} sees), whole, oldest first, at most {@code maxBytes} of blocks: past it the
     * rest is left out ({@code truncated}), a first segment too big alone cut at a block.
     */
    public Found segments(long from, long to, int maxBytes) throws IOException {
        long reach = from - Math.max(0, to - from);
        List<LocalDate> daysOf = new ArrayList<>();
        List<List<BlockEntry>> chosen = new ArrayList<>();
        for (LocalDate day : days()) {
            if (day.isBefore(DayFiles.dayOf(reach)) || day.isAfter(DayFiles.dayOf(to))) continue;
            for (List<BlockEntry> seg : split(entries(day))) {
                long first = seg.getFirst().firstMillis(), last = seg.getLast().lastMillis();
                if (last >= from && first <= to) {
                    chosen.add(seg);
                    daysOf.add(day);
                } else if (last < from && last >= reach) { // only the latest of those before: what a viewer at from sees
                    chosen.clear();
                    daysOf.clear();
                    chosen.add(seg);
                    daysOf.add(day);
                }
            }
        }
        List<List<Segment.Block>> out = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < chosen.size(); i++) {
            List<Segment.Block> blocks = new ArrayList<>();
            for (BlockEntry e : chosen.get(i)) {
                if (bytes + (long) e.length() > maxBytes) {
                    if (out.isEmpty() && !blocks.isEmpty()) out.add(blocks);
                    return new Found(out, true);
                }
                bytes += e.length();
                blocks.add(new Segment.Block(e, read(daysOf.get(i), e)));
            }
            out.add(blocks);
        }
        return new Found(out, false);
    }

    /** Entries cut into segments: each starts at a key entry (entries before the first key belong to none). */
    static List<List<BlockEntry>> split(List<BlockEntry> entries) {
        List<List<BlockEntry>> segments = new ArrayList<>();
        List<BlockEntry> current = null;
        for (BlockEntry e : entries) {
            if (e.key()) {
                current = new ArrayList<>();
                segments.add(current);
            } else if (current == null || e.firstMillis() < current.getLast().lastMillis()) {
                current = null; // a block whose key block is gone, or out of order: it and those after it until the next key
                continue;
            }
            current.add(e);
        }
        return segments;
    }

    /** Bytes of every file of the recording. */
    public long sizeBytes() {
        long total = 0;
        for (LocalDate day : days()) total += size(DayFiles.index(dir, day)) + size(DayFiles.data(dir, day));
        return total;
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    static byte[] readAll(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
