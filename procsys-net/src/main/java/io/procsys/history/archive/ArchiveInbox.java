package io.procsys.history.archive;

import io.procsys.history.BlockEntry;
import io.procsys.history.DayFiles;
import io.procsys.history.Recorder;
import io.procsys.history.Retention;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;
import io.procsys.history.StoreWriter;
import io.procsys.net.agent.ArchiveSink;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The recorded blocks other agents push (agent --accept-archives DIR), each host's in DIR/NAME/ in
 * the recording format a mount reads with --history DIR. NAME is the pushing peer's certificate
 * name, so a host archives only its own past. Everything a peer sends is bounded: a block's size,
 * the blocks being received at once, a host's bytes a day, its days kept and its whole size
 * (the recorder's defaults); a block already held (not after the last one stored) is ignored.
 */
public final class ArchiveInbox implements ArchiveSink {
    private static final System.Logger LOG = System.getLogger("io.procsys.history");
    /** A host's name: as node names are (Cluster.NODE_NAME), so never "", "." or "..", and no '/'. */
    static final String HOST_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    /** The largest block taken (compressed); a recorder's are a few KiB. */
    public static final int MAX_BLOCK = 2 << 20;
    /** The most bytes of blocks being received at once, over all connections. */
    public static final long MAX_IN_FLIGHT = 8 << 20;
    /** The most bytes a host's day may hold: ten times the busiest recording measured. */
    public static final long MAX_BYTES_PER_DAY = 256L << 20;
    /** The most hosts archived here. */
    public static final int MAX_HOSTS = 4096;

    private final Path root;
    private final LongSupplier clock;
    private final long maxBytesPerDay;
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<String, StoreWriter> writers = new HashMap<>();
    private final Map<String, Long> lastMillis = new HashMap<>();

    /** Keeps pushed blocks under {@code root}, days counted on {@code clock} (wall milliseconds). */
    public ArchiveInbox(Path root, LongSupplier clock) {
        this(root, clock, MAX_BYTES_PER_DAY);
    }

    /** As above, a host's day holding {@code maxBytesPerDay} at most. */
    public ArchiveInbox(Path root, LongSupplier clock, long maxBytesPerDay) {
        this.root = root;
        this.clock = clock;
        this.maxBytesPerDay = maxBytesPerDay;
    }

    public Path root() {
        return root;
    }

    @Override
    public Upload open(String host) {
        if (host == null || !host.matches(HOST_NAME)) throw new ErrnoException(Errno.EPERM, "no archive for a certificate named '" + host + "'");
        return new BlockUpload(this, host);
    }

    /** The time of the last frame held of {@code host}: remembered, else read from its recording. */
    synchronized long lastMillis(String host) {
        return lastMillis.computeIfAbsent(host, h -> lastStored(new StoreReader(root.resolve(h))));
    }

    private static long lastStored(StoreReader reader) {
        List<LocalDate> days = reader.days();
        for (int i = days.size() - 1; i >= 0; i--) {
            List<BlockEntry> entries = reader.entries(days.get(i));
            if (!entries.isEmpty()) return entries.getLast().lastMillis();
        }
        return Long.MIN_VALUE;
    }

    /** Reserves {@code bytes} of the in-flight bound for a block being received, or refuses (EAGAIN: try later). */
    void reserve(int bytes) {
        if (inFlight.addAndGet(bytes) > MAX_IN_FLIGHT) {
            inFlight.addAndGet(-bytes);
            throw new ErrnoException(Errno.EAGAIN, "too many archived blocks being received");
        }
    }

    void release(int bytes) {
        inFlight.addAndGet(-bytes);
    }

    /** Stores a whole block of {@code host} (its CRC checked), unless one as late is held. */
    synchronized void store(String host, BlockEntry entry, byte[] bytes) {
        if (entry.firstMillis() <= lastMillis(host)) return; // sent again after a lost answer
        LocalDate today = DayFiles.dayOf(clock.getAsLong()), day = DayFiles.dayOf(entry.firstMillis());
        if (day.isBefore(today.minusDays(Recorder.Settings.KEEP_DAYS - 1L)) || day.isAfter(today.plusDays(1))) {
            throw new ErrnoException(Errno.EINVAL, "a block of " + day + ", outside the days kept");
        }
        Path dir = root.resolve(host);
        long dayBytes = new StoreReader(dir).entries(day).stream().mapToLong(BlockEntry::length).sum();
        if (dayBytes + bytes.length > maxBytesPerDay) throw new ErrnoException(Errno.EFBIG, host + " is over " + maxBytesPerDay + " bytes on " + day);
        try {
            writer(host, dir).append(new Segment.Block(entry, bytes));
            lastMillis.put(host, entry.lastMillis());
            Retention.apply(dir, today, Recorder.Settings.KEEP_DAYS, Recorder.Settings.MAX_BYTES);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "archive: cannot store a block of " + host + " in " + dir + ": " + e.getMessage());
            throw new ErrnoException(Errno.EIO, e.getMessage());
        }
    }

    private StoreWriter writer(String host, Path dir) throws IOException {
        StoreWriter w = writers.get(host);
        if (w != null) return w;
        if (writers.size() >= MAX_HOSTS) throw new ErrnoException(Errno.EPERM, "already " + MAX_HOSTS + " hosts archived here");
        w = StoreWriter.open(dir);
        writers.put(host, w);
        return w;
    }

    /** Closes every host's recording. */
    public synchronized void close() {
        for (StoreWriter w : writers.values()) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "archive: closing " + w.directory() + ": " + e.getMessage());
            }
        }
        writers.clear();
    }
}
