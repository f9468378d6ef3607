package io.procsys.history;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Older days of a recording thinned to one frame a minute (agent --record-thin-after): each day
 * before the last {@code afterDays} keeps the first frame of every minute, re-encoded in segments
 * of 6 h (a key frame each) and blocks of an hour with fresh CRCs, and marked with the minute as its interval (a viewer
 * between two kept frames still finds the host present; counters are interpolated over the
 * minute). The new files are written beside the day's ({@code .thin}), synced, then renamed over
 * them, data first; a crash between the two renames is finished by the next pass ({@link
 * #finishInterrupted}). A reader in that instant finds blocks that fail their CRC, never wrong frames.
 */
public final class Thinning {
    /** One frame kept per this many milliseconds. */
    public static final long EVERY = 60_000;
    static final String THIN = ".thin";
    /** Frames in a block of a thinned day (an hour), and the time between its key frames. */
    static final int BLOCK_FRAMES = 60;
    static final long SEGMENT_MILLIS = 6 * 3_600_000L;

    private Thinning() {}

    /** Thins the days before the last {@code afterDays} (today counted) that hold two frames in a minute, except {@code writing}; the days thinned. */
    public static List<LocalDate> apply(Path dir, LocalDate today, int afterDays, LocalDate writing, int level) throws IOException {
        finishInterrupted(dir);
        List<LocalDate> thinned = new ArrayList<>();
        StoreReader reader = new StoreReader(dir);
        for (LocalDate day : reader.days()) {
            if (!day.isBefore(today.minusDays(afterDays - 1L)) || day.equals(writing) || !twoInAMinute(reader.entries(day))) continue;
            write(dir, day, level);
            swap(dir, day);
            thinned.add(day);
        }
        return thinned;
    }

    /** Whether a day's entries show two frames in one minute (frames at a steady interval: more than the minutes they span). */
    static boolean twoInAMinute(List<BlockEntry> entries) {
        long lastMinute = Long.MIN_VALUE;
        for (BlockEntry e : entries) {
            long first = e.firstMillis() / EVERY, last = e.lastMillis() / EVERY;
            if (e.frames() > last - first + 1 || first == lastMinute) return true;
            lastMinute = last;
        }
        return false;
    }

    /** Writes {@code day} thinned to DAY.data.thin and DAY.index.thin, synced. */
    static void write(Path dir, LocalDate day, int level) throws IOException {
        StoreReader reader = new StoreReader(dir);
        ByteArrayOutputStream data = new ByteArrayOutputStream(), index = new ByteArrayOutputStream();
        long lastMinute = Long.MIN_VALUE, segmentStart = Long.MIN_VALUE;
        try (SegmentWriter writer = new SegmentWriter(level)) {
            for (List<BlockEntry> entries : StoreReader.split(reader.entries(day))) {
                List<Segment.Block> blocks = new ArrayList<>();
                for (BlockEntry e : entries) blocks.add(new Segment.Block(e, reader.read(day, e)));
                for (Frame f : Segment.decode(blocks).frames()) { // a damaged block ends its segment there, as for any reader
                    if (f.timeMillis() / EVERY <= lastMinute) continue; // a minute's first frame only (a clock set back: none)
                    lastMinute = f.timeMillis() / EVERY;
                    if (f.timeMillis() - segmentStart >= SEGMENT_MILLIS) { // fewer key frames than a whole day's: few frames between them
                        place(writer.closeBlock(), data, index);
                        writer.newSegment();
                        segmentStart = f.timeMillis();
                    }
                    writer.add(new Frame(f.timeMillis(), Math.max(EVERY, f.intervalMillis()), f.buildMicros(), f.files(), f.tasks()));
                    if (writer.frames() >= BLOCK_FRAMES || writer.rawBytes() > SegmentWriter.MAX_RAW_BLOCK) place(writer.closeBlock(), data, index);
                }
            }
            place(writer.closeBlock(), data, index);
        }
        writeSynced(thin(DayFiles.data(dir, day)), data.toByteArray());
        writeSynced(thin(DayFiles.index(dir, day)), index.toByteArray());
    }

    /** Appends {@code block} (null: none) to the day being built, its entry with the offset it gets. */
    private static void place(Segment.Block block, ByteArrayOutputStream data, ByteArrayOutputStream index) {
        if (block == null) return;
        BlockEntry e = block.entry();
        index.writeBytes(new BlockEntry(e.key(), e.firstMillis(), e.lastMillis(), data.size(), e.length(), e.frames(), e.dataCrc()).encode());
        data.writeBytes(block.bytes());
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) out.write(buf);
            out.force(true);
        }
    }

    /** The thinned files replace the day's: data, then index. */
    static void swap(Path dir, LocalDate day) throws IOException {
        Files.move(thin(DayFiles.data(dir, day)), DayFiles.data(dir, day), StandardCopyOption.ATOMIC_MOVE);
        Files.move(thin(DayFiles.index(dir, day)), DayFiles.index(dir, day), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * What a crash left: an index.thin alone (its data already in place) is moved in place too;
     * a data.thin (the swap had not begun, its files may be short) is deleted, with its index.thin.
     */
    static void finishInterrupted(Path dir) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + THIN)) {
            files.forEach(leftovers::add);
        }
        for (Path f : leftovers) {
            String name = f.getFileName().toString(), real = name.substring(0, name.length() - THIN.length());
            if (!real.endsWith(DayFiles.DATA)) continue;
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir.resolve(real.substring(0, real.length() - DayFiles.DATA.length()) + DayFiles.INDEX + THIN));
        }
        for (Path f : leftovers) {
            String name = f.getFileName().toString();
            if (Files.exists(f) && name.endsWith(DayFiles.INDEX + THIN)) {
                Files.move(f, dir.resolve(name.substring(0, name.length() - THIN.length())), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    static Path thin(Path file) {
        return file.resolveSibling(file.getFileName() + THIN);
    }
}
