package io.procsys.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sampling tools over a view of the past, running at wall speed, against the recorded rates
 * ({@link RecordedCounters}: the recording's counters, linear between frames). The view is started
 * at a whole second T0 just before each tool, whose first sample comes a little later.
 */
final class TruthRates {
    private TruthRates() {}

    /** vmstat's columns: us = user+nice, sy = system+irq+softirq, id, wa; of /proc/stat's cpu line. */
    private static final int[][] CPU_COLUMNS = {{0, 1}, {2, 5, 6}, {3}, {4}};

    /** How late a tool may take its first sample after the view is started (its process, the /proc it is given): 0 to this, ms. */
    static final long MAX_START = 600, STEP = 20;

    /**
     * The problems {@code check} finds for the start offset (0 to {@link #MAX_START} ms, one for
     * every row: rows follow each other at the tool's interval) that gives the fewest: when a tool
     * took its first sample is not known closer than that, and a row then straddles two frames.
     */
    static List<String> atBestOffset(java.util.function.LongFunction<List<String>> check) {
        List<String> best = null;
        long bestOffset = 0;
        for (long offset = 0; offset <= MAX_START; offset += STEP) {
            List<String> problems = check.apply(offset);
            if (best == null || problems.size() < best.size()) {
                best = problems;
                bestOffset = offset;
            }
        }
        List<String> out = new ArrayList<>(best);
        if (best.isEmpty()) return out;
        out.add("(best start offset " + bestOffset + " ms)");
        return out;
    }

    /**
     * `vmstat 1 10` from {@code t0}: each row after the first (since boot) within 10 % of the
     * recorded average over its own second (the rows' seconds starting together within
     * {@link #MAX_START} ms of t0): us, sy, id, wa within 10 points, in and cs within 10 % of the
     * recorded rate (and 5 a second, for rates near zero).
     */
    static List<String> vmstat(HistoryGroundTruthIT.Replay r, long t0) {
        r.showRunning(t0);
        String out = r.run("vmstat", "1", "10").out();
        List<long[]> rows = TruthLog.vmstat(out);
        if (rows.size() != 10) return List.of(r.name() + ": vmstat printed " + rows.size() + " rows: " + out);
        List<String> problems = atBestOffset(offset -> vmstatRows(r, rows, t0 + offset));
        StringBuilder expected = new StringBuilder();
        for (int k = 1; k < rows.size(); k++) {
            long from = t0 + (k - 1) * 1000L, to = from + 1000;
            double[] cpu = cpuShares(r.counters(), from, to);
            expected.append(String.format("row %d: us %.1f sy %.1f id %.1f wa %.1f in %.0f cs %.0f%n", k, cpu[0], cpu[1], cpu[2], cpu[3],
                    r.counters().rate(from, to, f -> f.intr()), r.counters().rate(from, to, f -> f.ctxt())));
        }
        System.out.println("HistoryGroundTruthIT: " + r.name() + " vmstat 1 10 from " + t0 + ":\n" + out + "recorded (from t0):\n" + expected);
        if (!problems.isEmpty()) problems.add(r.name() + ": vmstat\n" + out + "recorded (from t0)\n" + expected);
        return problems;
    }

    private static List<String> vmstatRows(HistoryGroundTruthIT.Replay r, List<long[]> rows, long start) {
        List<String> problems = new ArrayList<>();
        for (int k = 1; k < rows.size(); k++) {
            long from = start + (k - 1) * 1000L, to = from + 1000;
            double[] cpu = cpuShares(r.counters(), from, to);
            double in = r.counters().rate(from, to, f -> f.intr()), cs = r.counters().rate(from, to, f -> f.ctxt());
            long[] row = rows.get(k);
            for (int c = 0; c < 4; c++) {
                if (Math.abs(row[12 + c] - cpu[c]) > 10) problems.add(r.name() + " vmstat row " + k + " column " + (12 + c) + ": " + row[12 + c] + ", recorded " + cpu[c]);
            }
            if (Math.abs(row[10] - in) > Math.max(5, in * 0.10)) problems.add(r.name() + " vmstat row " + k + " in: " + row[10] + ", recorded " + Math.round(in));
            if (Math.abs(row[11] - cs) > Math.max(5, cs * 0.10)) problems.add(r.name() + " vmstat row " + k + " cs: " + row[11] + ", recorded " + Math.round(cs));
        }
        return problems;
    }

    /** us, sy, id, wa over [from, to] as % of all CPU time recorded then. */
    private static double[] cpuShares(RecordedCounters c, long from, long to) {
        double[] shares = new double[4];
        double total = 0;
        for (int i = 0; i < 8; i++) {
            int column = i;
            total += c.at(to, f -> f.cpu()[column]) - c.at(from, f -> f.cpu()[column]);
        }
        for (int s = 0; s < 4; s++) {
            for (int column : CPU_COLUMNS[s]) shares[s] += c.at(to, f -> f.cpu()[column]) - c.at(from, f -> f.cpu()[column]);
            shares[s] = total == 0 ? 0 : shares[s] * 100 / total;
        }
        return shares;
    }

    /**
     * `top -bn2 -d1` from {@code t0}: the half burner at 50 ± 10 %, and within 10 points of its
     * recorded CPU over the second top's second sample covers (top's first sample comes up to
     * {@link #MAX_START} ms after t0).
     */
    static List<String> top(HistoryGroundTruthIT.Replay r, long t0, int burner) {
        r.showRunning(t0);
        String out = r.run("top", "-bn2", "-d1", "-p", Integer.toString(burner)).out();
        Double shown = TruthLog.topCpu(out, burner);
        System.out.println("HistoryGroundTruthIT: " + r.name() + " top shows the half burner at " + shown + " %, recorded from t0 "
                + String.format("%.1f", r.counters().cpuPercent(burner, t0, t0 + 1000)));
        if (shown == null) return List.of(r.name() + ": no burner " + burner + " in top:\n" + out);
        List<String> problems = atBestOffset(offset -> {
            double recorded = r.counters().cpuPercent(burner, t0 + offset, t0 + offset + 1000);
            return Math.abs(shown - recorded) > 10 ? List.of(r.name() + ": top shows the half burner at " + shown + " %, recorded " + recorded) : List.of();
        });
        // 50 ± 10 where the burner really had 50 ± 5 then: it keeps its cumulative share, so after a busy spell it runs ahead
        // for a while (63.8 % recorded at one such start), and the replay must show that, not 50
        double then = r.counters().cpuPercent(burner, t0, t0 + 1000);
        if (Math.abs(then - 50) <= 5 && Math.abs(shown - 50) > 10) problems.add(r.name() + ": top shows the half burner at " + shown + " %, not 50 ± 10:\n" + out);
        return problems;
    }

    /**
     * `pidstat -p BURNER 1 5` from {@code t0}: each row within 10 points of the burner's recorded
     * CPU over its second (rows starting together within {@link #MAX_START} ms of t0), and the
     * average at 50 ± 10 % and within 10 points of the recorded average.
     */
    static List<String> pidstat(HistoryGroundTruthIT.Replay r, long t0, int burner) {
        r.showRunning(t0);
        String out = r.run("pidstat", "-p", Integer.toString(burner), "1", "5").out();
        List<Double> rows = TruthLog.pidstatCpu(out, burner);
        double recorded = r.counters().cpuPercent(burner, t0, t0 + 5000);
        System.out.println("HistoryGroundTruthIT: " + r.name() + " pidstat shows the half burner at " + rows + " %, recorded over the 5 s " + String.format("%.1f", recorded));
        if (rows.size() != 6) return List.of(r.name() + ": pidstat has " + rows.size() + " rows of the burner:\n" + out);
        List<String> problems = atBestOffset(offset -> {
            List<String> off = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                double then = r.counters().cpuPercent(burner, t0 + offset + k * 1000L, t0 + offset + (k + 1) * 1000L);
                if (Math.abs(rows.get(k) - then) > 10) off.add(r.name() + ": pidstat row " + (k + 1) + " shows " + rows.get(k) + " %, recorded " + then);
            }
            return off;
        });
        double average = rows.get(5);
        if (Math.abs(recorded - 50) <= 5 && Math.abs(average - 50) > 10 || Math.abs(average - recorded) > 10) problems.add(r.name() + ": pidstat's average " + average + " %, recorded " + recorded);
        if (!problems.isEmpty()) problems.add(out);
        return problems;
    }

    /** The half burner really ran at 50 ± 10 % (the logged ps TIME over the logged span): else the machine was too busy to tell. */
    static void requireHalfBurner(Map<Long, Map<String, TruthLog.Run>> logged, int burner) {
        var first = logged.entrySet().iterator().next();
        Map.Entry<Long, Map<String, TruthLog.Run>> last = null;
        for (var e : logged.entrySet()) last = e;
        long t0 = TruthLog.ps(first.getValue().get("ps").out()).get(burner).time(), t1 = TruthLog.ps(last.getValue().get("ps").out()).get(burner).time();
        double share = (t1 - t0) * 100.0 / (last.getKey() - first.getKey());
        System.out.println("HistoryGroundTruthIT: the half burner really ran at " + String.format("%.1f", share) + " % (logged ps)");
        if (Math.abs(share - 50) > 10) throw new AssertionError("the half burner ran at " + share + " %: the machine was too busy to tell");
    }
}
