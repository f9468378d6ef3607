package io.procsys.fs.history;

import io.procsys.history.Frame;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;
import io.procsys.posix.ErrnoException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One host's frames around the time a view shows: fetched from its {@link PastSource} a window
 * ahead ({@link #WINDOW}) and again as the time nears the end of what is here, or when the host's
 * last frame is behind the time (more may have been recorded since), at most every
 * {@link #RETRY_NANOS}. Never waits: {@link #at} answers from what it has, and a host not (yet)
 * here is absent.
 *
 * <p>Its frames are stamped by the host's wall clock: a host whose clock is ahead of this host's
 * ({@link PastSource#clockAheadMillis}, measured on the first fetch and again until known) is asked
 * for, and shown at, the view's time plus that, so every host of the view shows the same moment.
 */
final class HostPast {
    /** How far ahead of the time shown frames are fetched. */
    static final long WINDOW = 10 * 60_000;
    /** Frames kept behind the time shown (a short seek back needs no fetch). */
    static final long KEEP_BEHIND = 2 * 60_000;
    static final long RETRY_NANOS = 5_000_000_000L;
    /** A frame serves until this many intervals after it (and 1 s more): past that, the host is absent. */
    static final int PRESENT_INTERVALS = 2;
    /** Longest wait for the host's clock before a fetch: a host that does not say goes on at its stamps until it does. */
    static final long CLOCK_WAIT_MILLIS = 3000;

    /**
     * The frames around a time: {@code before} (null: the host is absent then) and {@code after}
     * (null: none near); {@code timeMillis} is on the host's clock, as the frames' times are.
     */
    record Moment(Frame before, Frame after, long timeMillis) {
        boolean present() {
            return before != null;
        }
    }

    private final String name;
    private final PastSource source;
    private final Executor decoding;
    private final LongSupplier nanos;
    private List<Frame> frames = List.of();
    private long askedFrom = Long.MAX_VALUE, askedTo = Long.MIN_VALUE;
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    private long lastAttemptNanos;
    private boolean attempted;
    private String lastError;
    /** How far the host's clock is ahead of this host's, and whether that was measured. */
    private long aheadMillis;
    private boolean clockKnown;

    HostPast(String name, PastSource source, Executor decoding, LongSupplier nanos) {
        this.name = name;
        this.source = source;
        this.decoding = decoding;
        this.nanos = nanos;
    }

    String name() {
        return name;
    }

    /** The frames around {@code tv} (the view's clock) as they are here now; starts a fetch when one is due. */
    synchronized Moment at(long tv) {
        if (fetchDue(tv + aheadMillis)) fetch(tv);
        return momentOf(tv + aheadMillis);
    }

    /** Fetches around {@code tv} now (unless a fetch is under way): what a new view waits for. */
    synchronized CompletableFuture<Void> load(long tv) {
        if (inFlight.isDone()) fetch(tv);
        return inFlight;
    }

    /** How far the host's clock is ahead of this host's, in milliseconds (0 when in step or not known). */
    synchronized long aheadMillis() {
        return aheadMillis;
    }

    private boolean fetchDue(long tv) {
        if (!inFlight.isDone()) return false;
        boolean outside = tv < askedFrom || tv > askedTo;
        boolean retryOk = !attempted || nanos.getAsLong() - lastAttemptNanos >= RETRY_NANOS;
        if (outside) return retryOk || !attempted;
        boolean nearEnd = tv > askedTo - WINDOW / 2;
        boolean behind = frames.isEmpty() || frames.getLast().timeMillis() < tv - intervalOf(frames.getLast());
        return (nearEnd || behind) && retryOk;
    }

    /** Fetches the frames from {@code tv} (the view's clock) on, measuring the host's clock first while it is not known. */
    private void fetch(long tv) {
        attempted = true;
        lastAttemptNanos = nanos.getAsLong();
        askedFrom = tv + aheadMillis;
        askedTo = askedFrom + WINDOW;
        CompletableFuture<Long> ahead = clockKnown ? CompletableFuture.completedFuture(aheadMillis)
                : source.clockAheadMillis().completeOnTimeout(null, CLOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                        .handle((millis, error) -> error == null ? millis : null);
        inFlight = ahead.thenCompose(millis -> {
            long from = clockMeasured(millis, tv);
            return source.segments(from, from + WINDOW)
                    .thenApplyAsync(HostPast::decode, decoding)
                    .handle((decoded, error) -> {
                        arrived(from, decoded, error);
                        return null;
                    });
        });
    }

    /** Takes the host's clock as measured ({@code millis} null: not this time) and says where {@code tv} is on it. */
    private synchronized long clockMeasured(Long millis, long tv) {
        if (millis != null) {
            aheadMillis = millis;
            clockKnown = true;
        }
        askedFrom = tv + aheadMillis;
        askedTo = askedFrom + WINDOW;
        return askedFrom;
    }

    private static List<Frame> decode(StoreReader.Found found) {
        List<Frame> out = new ArrayList<>();
        for (List<Segment.Block> seg : found.segments()) {
            List<Frame> frames = Segment.decode(seg).frames();
            if (!out.isEmpty() && !frames.isEmpty() && frames.getFirst().timeMillis() < out.getLast().timeMillis()) continue; // out of order: skip
            out.addAll(frames);
        }
        return out;
    }

    private synchronized void arrived(long tv, List<Frame> decoded, Throwable error) {
        if (error != null) {
            Throwable e = ErrnoException.unwrapped(error);
            lastError = e.getMessage();
            if (!(e instanceof ErrnoException r && r.errno() == io.procsys.posix.Errno.ENODATA)) return; // keep what is here: the source is in trouble
            frames = List.of();
            return;
        }
        lastError = null;
        int keepFrom = 0;
        for (int i = 0; i < decoded.size(); i++) if (decoded.get(i).timeMillis() <= tv - KEEP_BEHIND) keepFrom = i;
        frames = List.copyOf(decoded.subList(keepFrom, decoded.size()));
    }

    private Moment momentOf(long tv) {
        int lo = 0, hi = frames.size() - 1, before = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (frames.get(mid).timeMillis() <= tv) {
                before = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (before < 0) return new Moment(null, null, tv);
        Frame b = frames.get(before);
        long gap = PRESENT_INTERVALS * intervalOf(b) + 1000;
        if (tv - b.timeMillis() > gap) return new Moment(null, null, tv);
        Frame a = before + 1 < frames.size() ? frames.get(before + 1) : null;
        return new Moment(b, a != null && a.timeMillis() - b.timeMillis() <= gap ? a : null, tv);
    }

    private static long intervalOf(Frame f) {
        return Math.max(100, f.intervalMillis());
    }

    /** One line for status: present with the frame it shows (its time on this host's clock), or why absent. */
    synchronized String describe(long tv) {
        Moment m = momentOf(tv + aheadMillis);
        String clock = aheadMillis == 0 ? "" : String.format(java.util.Locale.ROOT, "; its clock %d s %s this host's, shown on this host's",
                Math.abs(aheadMillis) / 1000, aheadMillis > 0 ? "ahead of" : "behind");
        if (m.present()) return "present (frame of " + Times.format(m.before().timeMillis() - aheadMillis) + ", from " + source.describe() + clock + ")";
        String why = lastError != null ? lastError : !inFlight.isDone() ? "fetching" : frames.isEmpty() ? "nothing recorded near this time"
                : "no frame within " + (PRESENT_INTERVALS * intervalOf(frames.getLast()) + 1000) / 1000 + " s (nearest before: "
                + nearestBefore(tv + aheadMillis) + ")";
        return "ABSENT: " + why + " (" + source.describe() + clock + ")";
    }

    private String nearestBefore(long th) {
        String out = "none";
        for (Frame f : frames) if (f.timeMillis() <= th) out = Times.format(f.timeMillis() - aheadMillis);
        return out;
    }
}
