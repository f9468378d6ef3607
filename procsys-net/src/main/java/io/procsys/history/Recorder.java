package io.procsys.history;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Records a host: a frame every interval ({@link FrameSource}), gathered into blocks of
 * {@link Settings#block} that go to the store when they close, segments of {@link Settings#segment}
 * (each begins with a key frame, and with each day). A block still open when the process is killed
 * is lost, nothing before it. A write that fails (a full disk) stops recording, said once in the
 * log; it is tried again a block later, and said when it works again. Retention runs after each
 * block ({@link Retention}).
 */
public final class Recorder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.history");

    /**
     * Where frames come from: a host's files and process table now. A frame is stamped with the
     * time its counters were read, on {@code clock} (wall ms): reading a host takes a while under
     * load, and a stamp taken before it would scale every rate replayed between two frames.
     */
    public interface FrameSource {
        Frame capture(LongSupplier clock);
    }

    /**
     * How a host is recorded: a frame every {@code interval}, closed blocks every {@code block},
     * a key frame every {@code segment}, {@code keepDays} whole days at most and {@code maxBytes}
     * at most, blocks deflated at {@code level}.
     */
    public record Settings(Duration interval, Duration block, Duration segment, int keepDays, long maxBytes, int level) {
        public static final Duration INTERVAL = Duration.ofSeconds(10), BLOCK = Duration.ofSeconds(60), SEGMENT = Duration.ofHours(1);
        public static final int KEEP_DAYS = 7;
        public static final long MAX_BYTES = 1L << 30;

        public Settings {
            if (interval.toMillis() < 100) throw new IllegalArgumentException("an interval of at least 100 ms");
            if (keepDays < 1) throw new IllegalArgumentException("keep at least one day");
            if (maxBytes < 1 << 20) throw new IllegalArgumentException("a size bound of at least 1 MiB");
            if (level < 1 || level > 9) throw new IllegalArgumentException("a deflate level of 1 to 9");
        }

        public static Settings every(Duration interval) {
            return new Settings(interval, BLOCK, SEGMENT, KEEP_DAYS, MAX_BYTES, 9);
        }
    }

    /** What the recorder has done: for metrics, status and the benchmark. */
    public static final class Stats {
        public final LongAdder frames = new LongAdder(), blocks = new LongAdder(), bytes = new LongAdder(), rawBytes = new LongAdder();
        /** CPU time of this recorder's thread (capture, encoding, compression, writes). */
        public final LongAdder cpuNanos = new LongAdder();
        public final LongAdder failures = new LongAdder();
        public volatile String stoppedBecause;
    }

    private final FrameSource source;
    private final Path dir;
    private final Settings settings;
    private final LongSupplier clock;
    private final SegmentWriter writer;
    private final Stats stats = new Stats();
    private StoreWriter store;
    /** Where closed blocks are copied too (agent --archive-to), or null; whether its last write failed. */
    private StoreWriter archive;
    private boolean archiveFailing;
    /** Why the last frame failed (null: it did not), and how many failed since one was taken: touched by the recorder's thread only. */
    private String lastFailure;
    private long failedInARow;
    /** Days before the last this many are thinned to a frame a minute (0: never); the day they last were. */
    private int thinAfterDays;
    private LocalDate thinnedOn;
    private ScheduledExecutorService thread;
    private long segmentStartMillis;
    private long lastFrameMillis = Long.MIN_VALUE;
    private long retryAtMillis;
    private boolean closed;

    /** Records into {@code dir} (one host's directory), on {@code clock} (wall milliseconds). */
    public Recorder(FrameSource source, Path dir, Settings settings, LongSupplier clock) throws IOException {
        this.source = source;
        this.dir = dir;
        this.settings = settings;
        this.clock = clock;
        this.store = StoreWriter.open(dir);
        this.writer = new SegmentWriter(settings.level());
    }

    public Stats stats() {
        return stats;
    }

    public Settings settings() {
        return settings;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Also copies every closed block to the recording in {@code dir} (one host's directory of an
     * archive: a disk a mount or node reads), so this host's past is there after the host is gone.
     * A copy that fails is said once in the log; recording goes on.
     */
    public synchronized Recorder archiveTo(Path dir) throws IOException {
        archive = StoreWriter.open(dir);
        return this;
    }

    /** Thins the days before the last {@code days} (today counted) to one frame a minute, here and in the archive ({@link Thinning}); 0: never. */
    public synchronized Recorder thinAfter(int days) {
        if (days < 0) throw new IllegalArgumentException("thin after 0 (never) or more days");
        thinAfterDays = days;
        return this;
    }

    /** Starts taking a frame every interval on a thread of its own, at the lowest priority there is in the JVM. */
    public Recorder start() {
        thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("procsys-recorder")
                .priority(Thread.MIN_PRIORITY).factory());
        long every = settings.interval().toMillis();
        long delay = every - Math.floorMod(clock.getAsLong(), every); // frames on whole multiples of the interval
        thread.scheduleAtFixedRate(this::tickCaught, delay, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tickCaught() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu = mx.getCurrentThreadCpuTime();
        try {
            tick();
            if (lastFailure != null) {
                LOG.log(System.Logger.Level.INFO, "recording: frames are taken again, after " + failedInARow + " failed");
                lastFailure = null;
                failedInARow = 0;
            }
        } catch (RuntimeException | Error e) { // never the end of the schedule
            stats.failures.increment();
            failed(e);
        } finally {
            stats.cpuNanos.add(mx.getCurrentThreadCpuTime() - cpu);
        }
    }

    /** Logs a failed frame once for each new reason (every frame of a host may fail alike: a log line each is noise). */
    private void failed(Throwable e) {
        failedInARow++;
        String reason = e.toString();
        if (reason.equals(lastFailure)) return;
        lastFailure = reason;
        LOG.log(System.Logger.Level.WARNING, "recording: a frame failed (said once while frames fail for this reason): " + reason, e);
    }

    /** Takes one frame now, and closes and stores the block when it is due. */
    public synchronized void tick() {
        if (closed) return;
        if (stats.stoppedBecause != null && clock.getAsLong() < retryAtMillis) return;
        Frame frame = source.capture(clock);
        long now = frame.timeMillis();
        boolean newDay = writer.frames() > 0 && !DayFiles.dayOf(now).equals(DayFiles.dayOf(writer.firstMillis()));
        boolean segmentDue = now - segmentStartMillis >= settings.segment().toMillis();
        if (newDay || now < lastFrameMillis) { // a day's files hold whole segments; a clock set back starts afresh
            closeBlock();
            writer.newSegment();
        } else if (segmentDue && writer.frames() == 0) {
            writer.newSegment();
        }
        if (writer.keyNext() && writer.frames() == 0) segmentStartMillis = now;
        writer.add(frame);
        lastFrameMillis = now;
        stats.frames.increment();
        boolean blockDue = now - writer.firstMillis() + settings.interval().toMillis() / 2 >= settings.block().toMillis()
                || writer.rawBytes() > SegmentWriter.MAX_RAW_BLOCK;
        if (blockDue) closeBlock();
    }

    /** Closes the open block and stores it; a failure stops recording until a retry. */
    private void closeBlock() {
        int raw = writer.rawBytes();
        Segment.Block block = writer.closeBlock();
        if (block == null) return;
        long now = clock.getAsLong();
        try {
            store.append(block);
            stats.blocks.increment();
            stats.bytes.add(block.bytes().length + BlockEntry.BYTES);
            stats.rawBytes.add(raw);
            if (stats.stoppedBecause != null) LOG.log(System.Logger.Level.INFO, "recording: resumed in " + dir);
            stats.stoppedBecause = null;
            Retention.Pass pass = Retention.apply(dir, DayFiles.dayOf(now), settings.keepDays(), settings.maxBytes());
            for (LocalDate d : pass.deleted()) LOG.log(System.Logger.Level.INFO, "recording: deleted " + d + " of " + dir + " (retention)");
            if (pass.overBound()) stop(now, "today's recording alone is over the size bound of " + settings.maxBytes() + " bytes", nextDay(now));
            copyToArchive(block, now);
            thinOldDays(now);
        } catch (IOException e) {
            stop(now, "cannot write " + dir + ": " + e.getMessage(), now + settings.block().toMillis());
        }
        if (stats.stoppedBecause != null) writer.newSegment(); // what follows a lost block starts afresh
    }

    private void copyToArchive(Segment.Block block, long now) {
        if (archive == null) return;
        try {
            archive.append(block);
            Retention.apply(archive.directory(), DayFiles.dayOf(now), settings.keepDays(), settings.maxBytes());
            if (archiveFailing) LOG.log(System.Logger.Level.INFO, "recording: copying to " + archive.directory() + " again");
            archiveFailing = false;
        } catch (IOException e) {
            if (!archiveFailing) LOG.log(System.Logger.Level.WARNING, "recording: cannot copy a block to " + archive.directory() + ": " + e.getMessage());
            archiveFailing = true;
            writer.newSegment(); // the archive's next block must decode without the one it missed
        }
    }

    /** Once a day: thins what is due, here and in the archive; a failure is logged and recording goes on. */
    private void thinOldDays(long now) {
        LocalDate today = DayFiles.dayOf(now);
        if (thinAfterDays == 0 || today.equals(thinnedOn)) return;
        thinnedOn = today;
        for (StoreWriter w : archive == null ? java.util.List.of(store) : java.util.List.of(store, archive)) {
            try {
                for (LocalDate d : Thinning.apply(w.directory(), today, thinAfterDays, w.day(), settings.level())) {
                    LOG.log(System.Logger.Level.INFO, "recording: thinned " + d + " of " + w.directory() + " to a frame a minute");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "recording: cannot thin " + w.directory() + ": " + e);
            }
        }
    }

    private void stop(long now, String why, long retryAt) {
        if (stats.stoppedBecause == null) LOG.log(System.Logger.Level.WARNING, "recording stopped: " + why + " (the agent goes on serving)");
        stats.stoppedBecause = why;
        retryAtMillis = retryAt;
    }

    private static long nextDay(long now) {
        return DayFiles.startOf(DayFiles.dayOf(now).plusDays(1));
    }

    /** Stops: the open block is stored, so a clean stop loses nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        if (thread != null) thread.shutdownNow();
        closeBlock();
        closed = true;
        writer.close();
        for (StoreWriter w : archive == null ? java.util.List.of(store) : java.util.List.of(store, archive)) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "recording: closing " + w.directory() + ": " + e.getMessage());
            }
        }
    }
}
