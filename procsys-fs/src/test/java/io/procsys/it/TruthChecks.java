package io.procsys.it;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ps, pstree and free over a view of the past at a logged moment, against what the logger saved
 * then. "Equal within one frame", precisely, with I the recording's interval and f the last frame
 * at or before the moment Tv (the middle of the logged ps):
 * <ul>
 *   <li>a process logged but not replayed must have started after f (its ps START ≥ f − 1.5 s:
 *       START is in whole seconds, and f is the middle of a reading that takes up to ~0.5 s);</li>
 *   <li>a process replayed but not logged must have ended within an interval: the view at
 *       Tv + I + 1 s no longer has it;</li>
 *   <li>a process in both has the same PPID, USER, START and COMMAND, the same STAT flags, the same
 *       state letter unless one of them is R, D or Z (a task runs, waits on disk or is reaped in
 *       less than a frame), and a TIME within I + 1 s (TIME is in whole seconds; one core at most);</li>
 *   <li>every PPID of the view is 0 or a process of the same view;</li>
 *   <li>pstree over the view shows the processes ps over it shows, and for every process in both
 *       logs and both views the same name and parent;</li>
 *   <li>free's total is equal; used, free, shared, buff/cache and available are within the range
 *       the recording itself moved over the frames from f to Tv + 2I + 1 s, plus 8 MiB (the
 *       logger's own tools).</li>
 * </ul>
 */
final class TruthChecks {
    static final String[] PS = {"ps", "-eo", "pid,ppid,user,stat,lstart,time,comm"};
    private final HistoryGroundTruthIT.Replay replay;
    private final Map<String, TruthLog.Run> log;
    private final List<String> problems = new ArrayList<>();
    private final long tv, interval, frameBefore;

    TruthChecks(HistoryGroundTruthIT.Replay replay, Map<String, TruthLog.Run> log) {
        this.replay = replay;
        this.log = log;
        this.tv = log.get("ps").middle();
        this.interval = replay.intervalMillis();
        this.frameBefore = replay.counters().before(tv);
    }

    List<String> all() {
        replay.showStill(tv);
        Map<Integer, TruthLog.PsRow> logged = ps(log.get("ps").out()), shown = ps(replay.run(PS).out());
        Map<Integer, TruthLog.TreeNode> shownTree = TruthLog.pstree(replay.run("pstree", "-p").out());
        long[] shownFree = TruthLog.free(replay.run("free").out());
        replay.showStill(tv + interval + 1000);
        Map<Integer, TruthLog.PsRow> later = ps(replay.run(PS).out());
        ps(logged, shown, later);
        pstree(logged, shown, TruthLog.pstree(log.get("pstree").out()), shownTree);
        free(TruthLog.free(log.get("free").out()), shownFree);
        return problems;
    }

    /** ps's rows but ps's own (the logger's, or the one run over the view, which sees itself). */
    private static Map<Integer, TruthLog.PsRow> ps(String out) {
        Map<Integer, TruthLog.PsRow> rows = TruthLog.ps(out);
        rows.values().removeIf(p -> p.comm().equals("ps"));
        return rows;
    }

    private void problem(String what) {
        problems.add(replay.name() + " at " + tv + " (frame " + frameBefore + "): " + what);
    }

    private void ps(Map<Integer, TruthLog.PsRow> logged, Map<Integer, TruthLog.PsRow> shown, Map<Integer, TruthLog.PsRow> later) {
        if (shown.size() < 5) problem("the view shows " + shown.size() + " processes");
        for (TruthLog.PsRow p : logged.values()) {
            TruthLog.PsRow s = shown.get(p.pid());
            if (s == null) {
                if (TruthLog.epochSeconds(p.lstart()) * 1000 < frameBefore - 1500) problem("logged, not shown, started before the frame: " + p);
            } else {
                same(p, s);
            }
        }
        for (TruthLog.PsRow s : shown.values()) {
            if (!logged.containsKey(s.pid()) && later.containsKey(s.pid())) problem("shown, not logged, and still shown an interval later: " + s);
            if (s.ppid() != 0 && !shown.containsKey(s.ppid())) problem("the parent of " + s + " is not in the view");
        }
    }

    private void same(TruthLog.PsRow p, TruthLog.PsRow s) {
        boolean sameRow = p.ppid() == s.ppid() && p.user().equals(s.user()) && p.lstart().equals(s.lstart()) && p.comm().equals(s.comm())
                && p.stat().substring(1).equals(s.stat().substring(1));
        char a = p.stat().charAt(0), b = s.stat().charAt(0);
        boolean sameState = a == b || "RDZ".indexOf(a) >= 0 || "RDZ".indexOf(b) >= 0;
        boolean sameTime = Math.abs(p.time() - s.time()) <= interval / 1000 + 1;
        if (!sameRow || !sameState || !sameTime) problem("logged " + p + ", shown " + s);
    }

    private void pstree(Map<Integer, TruthLog.PsRow> logged, Map<Integer, TruthLog.PsRow> shown,
                        Map<Integer, TruthLog.TreeNode> loggedTree, Map<Integer, TruthLog.TreeNode> shownTree) {
        Set<Integer> threadless = new HashSet<>(shownTree.keySet());
        for (var e : shownTree.entrySet()) {
            if (e.getValue().name().equals("pstree")) { // pstree sees itself, and draws its parent (the test's JVM) as a root
                threadless.remove(e.getKey());
                if (!shown.containsKey(e.getValue().parent())) threadless.remove(e.getValue().parent());
            }
        }
        threadless.removeIf(pid -> shownTree.get(pid).name().startsWith("{") || shownTree.get(pid).name().equals("ps")); // threads; ps as ps()
        if (!threadless.equals(shown.keySet())) problem("pstree shows " + threadless + ", ps " + shown.keySet());
        for (int pid : logged.keySet()) {
            TruthLog.TreeNode a = loggedTree.get(pid), b = shownTree.get(pid);
            if (a != null && b != null && shown.containsKey(pid) && !a.equals(b)) problem("pstree logged " + pid + " " + a + ", shown " + b);
        }
    }

    private void free(long[] logged, long[] shown) {
        long[] low = shown.clone(), high = shown.clone();
        for (long f : replay.counters().timesBetween(frameBefore, tv + 2 * interval + 1000)) {
            replay.showStill(f + 1 - HistoryGroundTruthIT.SHIFT); // that frame's gauges (a wrong-replay check shifts them too)
            long[] at = TruthLog.free(replay.run("free").out());
            for (int i = 0; i < at.length; i++) {
                low[i] = Math.min(low[i], at[i]);
                high[i] = Math.max(high[i], at[i]);
            }
        }
        if (logged[0] != shown[0]) problem("free's total: logged " + logged[0] + " KiB, shown " + shown[0]);
        String[] names = {"total", "used", "free", "shared", "buff/cache", "available"};
        for (int i = 1; i < Math.min(logged.length, 6); i++) {
            long slack = (high[i] - low[i]) + 8192;
            if (Math.abs(logged[i] - shown[i]) > slack) {
                problem("free's " + names[i] + ": logged " + logged[i] + " KiB, shown " + shown[i] + ", the frames moved " + (high[i] - low[i]));
            }
        }
    }
}
