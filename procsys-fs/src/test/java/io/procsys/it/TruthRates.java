package io.procsys.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sampling tools over a view of the past, running at wall speed, against the recorded rates
 * ({@link RecordedCounters}: the recording's counters, linear between frames). The view is started
 * at a whole second T0 just before each tool; row k of `vmstat 1` covers about
 * [T0 + (k − 1) s, T0 + k s].
 */
final class TruthRates {
    private TruthRates() {}

    /** vmstat's columns: us = user+nice, sy = system+irq+softirq, id, wa; of /proc/stat's cpu line. */
    private static final int[][] CPU_COLUMNS = {{0, 1}, {2, 5, 6}, {3}, {4}};

    /**
     * `vmstat 1 10` from {@code t0}: each row after the first (since boot) within 10 % of the
     * recorded average over its own second: us, sy, id, wa within 10 points, in and cs within 10 %
     * of the recorded rate (and 5 a second, for rates near zero).
     */
    static List<String> vmstat(HistoryGroundTruthIT.Replay r, long t0) {
        r.showRunning(t0);
        String out = r.run("vmstat", "1", "10").out();
        List<long[]> rows = TruthLog.vmstat(out);
        List<String> problems = new ArrayList<>();
        if (rows.size() != 10) return List.of(r.name() + ": vmstat printed " + rows.size() + " rows: " + out);
        StringBuilder expected = new StringBuilder();
        for (int k = 1; k < rows.size(); k++) {
            long from = t0 + (k - 1) * 1000L, to = from + 1000;
            double[] cpu = cpuShares(r.counters(), from, to);
            double in = r.counters().rate(from, to, f -> f.intr()), cs = r.counters().rate(from, to, f -> f.ctxt());
            long[] row = rows.get(k);
            expected.append(String.format("row %d: us %.1f sy %.1f id %.1f wa %.1f in %.0f cs %.0f%n", k, cpu[0], cpu[1], cpu[2], cpu[3], in, cs));
            for (int c = 0; c < 4; c++) if (Math.abs(row[12 + c] - cpu[c]) > 10) problems.add(r.name() + " vmstat row " + k + " column " + (12 + c) + ": " + row[12 + c]);
            if (Math.abs(row[10] - in) > Math.max(5, in * 0.10)) problems.add(r.name() + " vmstat row " + k + " in: " + row[10] + ", recorded " + Math.round(in));
            if (Math.abs(row[11] - cs) > Math.max(5, cs * 0.10)) problems.add(r.name() + " vmstat row " + k + " cs: " + row[11] + ", recorded " + Math.round(cs));
        }
        System.out.println("HistoryGroundTruthIT: " + r.name() + " vmstat 1 10 from " + t0 + ":\n" + out + "recorded:\n" + expected);
        if (!problems.isEmpty()) problems.add(r.name() + ": vmstat\n" + out + "recorded\n" + expected);
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

    /** `top -bn2 -d1` from {@code t0}: the half burner at 50 ± 10 %, and within 10 points of its recorded CPU then. */
    static List<String> top(HistoryGroundTruthIT.Replay r, long t0, int burner) {
        r.showRunning(t0);
        String out = r.run("top", "-bn2", "-d1", "-p", Integer.toString(burner)).out();
        Double shown = TruthLog.topCpu(out, burner);
        double recorded = r.counters().cpuPercent(burner, t0, t0 + 2000);
        System.out.println("HistoryGroundTruthIT: " + r.name() + " top shows the half burner at " + shown + " %, recorded " + String.format("%.1f", recorded));
        if (shown == null) return List.of(r.name() + ": no burner " + burner + " in top:\n" + out);
        if (Math.abs(shown - 50) > 10 || Math.abs(shown - recorded) > 10) {
            return List.of(r.name() + ": top shows the half burner at " + shown + " %, recorded " + String.format("%.1f", recorded) + ":\n" + out);
        }
        return List.of();
    }

    /** `pidstat -p BURNER 1 5` from {@code t0}: every row and the average at 50 ± 10 %, and within 10 points of what was recorded. */
    static List<String> pidstat(HistoryGroundTruthIT.Replay r, long t0, int burner) {
        r.showRunning(t0);
        String out = r.run("pidstat", "-p", Integer.toString(burner), "1", "5").out();
        List<Double> rows = TruthLog.pidstatCpu(out, burner);
        double recorded = r.counters().cpuPercent(burner, t0, t0 + 5000);
        System.out.println("HistoryGroundTruthIT: " + r.name() + " pidstat shows the half burner at " + rows + " %, recorded " + String.format("%.1f", recorded));
        if (rows.size() != 6) return List.of(r.name() + ": pidstat has " + rows.size() + " rows of the burner:\n" + out);
        for (double shown : rows) {
            if (Math.abs(shown - 50) > 10 || Math.abs(shown - recorded) > 10) {
                return List.of(r.name() + ": pidstat shows the half burner at " + rows + " %, recorded " + String.format("%.1f", recorded) + ":\n" + out);
            }
        }
        return List.of();
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
