package io.procsys.history;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.List;

/**
 * Appends blocks to one host's recording ({@link DayFiles}): the block's bytes to the day's data
 * file, synced, then its {@link BlockEntry} to the index, synced; a crash between the two leaves
 * bytes no entry names, and a torn entry fails its CRC. Opening takes a lock on the directory (one
 * writer) and cuts the newest day back to its last whole block. Files are its owner's only (0600).
 */
public final class StoreWriter implements AutoCloseable {
    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;
    private LocalDate day;
    private FileChannel data, index;

    private StoreWriter(Path dir, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** Opens (creating it, 0700) the recording in {@code dir}; fails if another writer has it. */
    public static StoreWriter open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockFile.close();
            throw new IOException(dir + " is being recorded by another process (its lock file is held)");
        }
        StoreWriter writer = new StoreWriter(dir, lockFile, lock);
        List<LocalDate> days = new StoreReader(dir).days();
        if (!days.isEmpty()) writer.recover(days.getLast());
        return writer;
    }

    /** Cuts {@code day}'s files back to the last whole block whose bytes match their CRC (entries in order, none overlapping). */
    private void recover(LocalDate day) throws IOException {
        Path indexPath = DayFiles.index(dir, day), dataPath = DayFiles.data(dir, day);
        byte[] indexBytes = Files.readAllBytes(indexPath);
        long dataSize = Files.exists(dataPath) ? Files.size(dataPath) : 0;
        int whole = 0;
        long end = 0;
        for (int at = 0; at + BlockEntry.BYTES <= indexBytes.length; at += BlockEntry.BYTES) {
            BlockEntry e = BlockEntry.decode(indexBytes, at);
            // bytes no entry names may lie between two blocks (a block whose entry a full disk refused): not an end
            if (e == null || e.offset() < end || e.offset() + e.length() > dataSize) break;
            whole++;
            end = e.offset() + e.length();
        }
        StoreReader reader = new StoreReader(dir);
        while (whole > 0) { // the last whole entry's bytes may not have reached the disk
            BlockEntry last = BlockEntry.decode(indexBytes, (whole - 1) * BlockEntry.BYTES);
            if (last.matches(reader.read(day, last), 0)) break;
            whole--;
            end = last.offset();
        }
        try (FileChannel i = FileChannel.open(indexPath, StandardOpenOption.WRITE);
             FileChannel d = FileChannel.open(dataPath, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            i.truncate((long) whole * BlockEntry.BYTES);
            d.truncate(end);
        }
    }

    /** Appends {@code block} to the day of its first frame; the entry as stored (with its offset). */
    public BlockEntry append(Segment.Block block) throws IOException {
        openDay(DayFiles.dayOf(block.entry().firstMillis()));
        long offset = data.size();
        try {
            writeFully(data, ByteBuffer.wrap(block.bytes()), offset);
            data.force(false);
        } catch (IOException e) {
            data.truncate(offset); // a full disk: no half block left behind
            throw e;
        }
        BlockEntry e = block.entry();
        BlockEntry stored = new BlockEntry(e.key(), e.firstMillis(), e.lastMillis(), offset, e.length(), e.frames(), e.dataCrc());
        long at = index.size();
        try {
            writeFully(index, ByteBuffer.wrap(stored.encode()), at);
            index.force(false);
        } catch (IOException x) {
            index.truncate(at);
            data.truncate(offset); // the block without its entry: gone too, so the day's blocks stay back to back
            throw x;
        }
        return stored;
    }

    private void openDay(LocalDate d) throws IOException {
        if (d.equals(day)) return;
        closeDay();
        data = openFile(DayFiles.data(dir, d));
        index = openFile(DayFiles.index(dir, d));
        day = d;
    }

    private static FileChannel openFile(Path file) throws IOException {
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (created) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return channel;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long at) throws IOException {
        while (bytes.hasRemaining()) at += channel.write(bytes, at);
    }

    /** The day being written (null before the first block). */
    public LocalDate day() {
        return day;
    }

    public Path directory() {
        return dir;
    }

    private void closeDay() throws IOException {
        if (data != null) data.close();
        if (index != null) index.close();
        data = index = null;
        day = null;
    }

    @Override
    public void close() throws IOException {
        closeDay();
        lock.release();
        lockFile.close();
    }
}
