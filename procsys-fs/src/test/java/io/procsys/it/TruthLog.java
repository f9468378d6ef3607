package io.procsys.it;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outputs HistoryGroundTruthIT compares: what truth-load.py's logger saved at a moment (each
 * tool's output after a line "== NAME START_MS END_MS"), and the same tools' output over a view of
 * the past, parsed into rows.
 */
final class TruthLog {
    private TruthLog() {}

    /** One tool's output and the wall ms it ran between. */
    record Run(long startMillis, long endMillis, String out) {
        long middle() {
            return (startMillis + endMillis) / 2;
        }
    }

    /** A logged moment: each tool by name (ps, pstree, free, top). */
    static Map<String, Run> runs(String text) {
        Map<String, Run> runs = new LinkedHashMap<>();
        String[] parts = text.split("(?m)^== ");
        for (String part : parts) {
            if (part.isEmpty()) continue;
            int eol = part.indexOf('\n');
            String[] head = part.substring(0, eol).split(" ");
            runs.put(head[0], new Run(Long.parseLong(head[1]), Long.parseLong(head[2]), part.substring(eol + 1)));
        }
        return runs;
    }

    /** A row of `ps -eo pid,ppid,user,stat,lstart,time,comm`; time in seconds. */
    record PsRow(int pid, int ppid, String user, String stat, String lstart, long time, String comm) {}

    static Map<Integer, PsRow> ps(String out) {
        Map<Integer, PsRow> rows = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 11 || !f[0].matches("\\d+")) continue;
            String lstart = String.join(" ", f[4], f[5], f[6], f[7], f[8]);
            rows.put(Integer.parseInt(f[0]), new PsRow(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], f[3], lstart, seconds(f[9]), f[10]));
        }
        return rows;
    }

    /** ps's TIME, [DD-]HH:MM:SS, in seconds. */
    static long seconds(String time) {
        long days = 0;
        int dash = time.indexOf('-');
        if (dash > 0) {
            days = Long.parseLong(time.substring(0, dash));
            time = time.substring(dash + 1);
        }
        String[] hms = time.split(":");
        return days * 86400 + Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]);
    }

    /** ps's lstart as epoch seconds (this host's zone, as ps printed it). */
    static long epochSeconds(String lstart) {
        return java.time.LocalDateTime.parse(lstart, java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", java.util.Locale.ENGLISH))
                .atZone(java.time.ZoneId.systemDefault()).toEpochSecond();
    }

    /** A process of `pstree -p`: its name and its parent's pid (0 for a root). */
    record TreeNode(String name, int parent) {}

    private static final Pattern NODE = Pattern.compile("([^\\s|`+\\-(][^\\s(]*|\\{[^}]*\\})\\((\\d+)\\)");

    /**
     * `pstree -p` as pid → name and parent. A process drawn at column c hangs from the latest one
     * drawn before it that ends at c − 3 ("-+-", "---", " |-" or " `-" between them): everything
     * drawn between a parent and its later children is deeper, so it ends further right.
     */
    static Map<Integer, TreeNode> pstree(String out) {
        Map<Integer, TreeNode> nodes = new TreeMap<>();
        Map<Integer, Deque<Integer>> endingAt = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = NODE.matcher(line);
            while (m.find()) {
                int pid = Integer.parseInt(m.group(2));
                Deque<Integer> before = endingAt.get(m.start() - 3);
                int parent = m.start() == 0 || before == null ? 0 : before.peek();
                nodes.put(pid, new TreeNode(m.group(1), parent));
                endingAt.computeIfAbsent(m.end(), k -> new ArrayDeque<>()).push(pid);
            }
        }
        return nodes;
    }

    /** free's Mem: line, KiB: total, used, free, shared, buff/cache, available. */
    static long[] free(String out) {
        for (String line : out.split("\n")) {
            if (line.startsWith("Mem:")) {
                return java.util.Arrays.stream(line.substring(4).strip().split("\\s+")).mapToLong(Long::parseLong).toArray();
            }
        }
        throw new AssertionError("no Mem: line in " + out);
    }

    /** The rows of `vmstat` after its header, as numbers. */
    static java.util.List<long[]> vmstat(String out) {
        java.util.List<long[]> rows = new java.util.ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 17 && f[0].matches("\\d+")) rows.add(java.util.Arrays.stream(f).mapToLong(Long::parseLong).toArray());
        }
        return rows;
    }

    /** The %CPU of {@code pid} in the last sample of `top -b` (null if it is not there). */
    static Double topCpu(String out, int pid) {
        String last = out.substring(Math.max(0, out.lastIndexOf("top - ")));
        for (String line : last.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 12 && f[0].equals(Integer.toString(pid))) return Double.parseDouble(f[8].replace(',', '.'));
        }
        return null;
    }

    /** The %CPU of {@code pid} on each of pidstat's rows, its Average last (LC_ALL=C: times as HH:MM:SS). */
    static java.util.List<Double> pidstatCpu(String out, int pid) {
        java.util.List<Double> cpu = new java.util.ArrayList<>();
        int column = -1;
        for (String line : out.split("\n")) {
            java.util.List<String> f = java.util.Arrays.asList(line.strip().split("\\s+"));
            if (f.contains("%CPU")) column = f.indexOf("%CPU");
            else if (column > 0 && f.size() > column && f.get(2).equals(Integer.toString(pid))) cpu.add(Double.parseDouble(f.get(column)));
        }
        return cpu;
    }
}
