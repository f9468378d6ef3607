package io.procsys.it;

import io.procsys.history.Frame;
import io.procsys.history.Item;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;
import io.procsys.history.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters of a recording, frame by frame, read straight from its store (not through a view):
 * what HistoryGroundTruthIT calls "the recorded average" of a span is the change of these counters
 * over it, linear between frames, divided by its length.
 */
final class RecordedCounters {
    /** One frame: its time, /proc/stat's cpu line (user nice system idle iowait irq softirq steal), intr, ctxt, and each process's utime+stime. */
    record At(long millis, long[] cpu, long intr, long ctxt, Map<Integer, Long> ticks) {}

    final List<At> frames = new ArrayList<>();

    RecordedCounters(Path recording) throws IOException {
        for (List<Segment.Block> seg : new StoreReader(recording).segments(0, Long.MAX_VALUE / 2, 1 << 30).segments()) {
            for (Frame f : Segment.decode(seg).frames()) frames.add(of(f));
        }
        frames.sort(java.util.Comparator.comparingLong(At::millis));
    }

    private static At of(Frame f) {
        long[] cpu = new long[8];
        long intr = 0, ctxt = 0;
        for (String line : new String(f.file("stat").text(), StandardCharsets.US_ASCII).split("\n")) {
            String[] w = line.split("\\s+");
            if (w[0].equals("cpu")) for (int i = 0; i < 8; i++) cpu[i] = Long.parseLong(w[i + 1]);
            else if (w[0].equals("intr")) intr = Long.parseLong(w[1]);
            else if (w[0].equals("ctxt")) ctxt = Long.parseLong(w[1]);
        }
        Map<Integer, Long> ticks = new HashMap<>();
        for (Task t : f.tasks().values()) {
            Item stat = t.owner() == 0 ? t.item("stat") : null;
            if (stat == null || stat.failed()) continue;
            String s = new String(stat.text(), StandardCharsets.US_ASCII);
            String[] w = s.substring(s.lastIndexOf(')') + 2).split(" ");
            ticks.put(t.id(), Long.parseLong(w[11]) + Long.parseLong(w[12]));
        }
        return new At(f.timeMillis(), cpu, intr, ctxt, ticks);
    }

    long first() {
        return frames.getFirst().millis();
    }

    long last() {
        return frames.getLast().millis();
    }

    /** The times of the frames in [from, to]. */
    List<Long> timesBetween(long from, long to) {
        return frames.stream().map(At::millis).filter(t -> t >= from && t <= to).toList();
    }

    /** The last frame at or before {@code millis}, and the first after it. */
    long before(long millis) {
        return frames.stream().map(At::millis).filter(t -> t <= millis).reduce((a, b) -> b).orElseThrow();
    }

    long after(long millis) {
        return frames.stream().map(At::millis).filter(t -> t > millis).findFirst().orElseThrow();
    }

    /** A counter of the frames (by {@code value}) at {@code millis}, linear between the frames around it. */
    double at(long millis, java.util.function.ToDoubleFunction<At> value) {
        for (int i = 1; i < frames.size(); i++) {
            At a = frames.get(i - 1), b = frames.get(i);
            if (millis >= a.millis() && millis <= b.millis()) {
                double share = b.millis() == a.millis() ? 0 : (double) (millis - a.millis()) / (b.millis() - a.millis());
                return value.applyAsDouble(a) + share * (value.applyAsDouble(b) - value.applyAsDouble(a));
            }
        }
        throw new AssertionError(millis + " is outside the recording [" + first() + ", " + last() + "]");
    }

    /** The recorded change per second of a counter over [from, to]. */
    double rate(long from, long to, java.util.function.ToDoubleFunction<At> value) {
        return (at(to, value) - at(from, value)) * 1000.0 / (to - from);
    }

    /** A process's recorded CPU over [from, to], % of one CPU (0 where a frame lacks it). */
    double cpuPercent(int pid, long from, long to) {
        return rate(from, to, f -> f.ticks().getOrDefault(pid, 0L));
    }
}
