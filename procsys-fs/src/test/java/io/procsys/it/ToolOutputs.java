package io.procsys.it;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How the output of a tool on the real /proc and through procsys is compared: what must be
 * equal, and which numbers may change between two runs a moment apart.
 */
final class ToolOutputs {
    private ToolOutputs() {}

    /** Every run of digits becomes '#', runs of blanks one space: for outputs whose numbers move. */
    static String shape(String text) {
        return text.lines().map(l -> l.replaceAll("[0-9]+", "#").replaceAll("[ \t]+", " ").strip())
                .collect(Collectors.joining("\n"));
    }

    /** ps rows keyed by PID (column {@code pidColumn}), as whitespace-split fields; the command keeps its spaces. */
    static Map<String, String[]> psRows(String output, int pidColumn, int commandColumn) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        List<String> lines = output.lines().toList();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split("\\s+", commandColumn + 1);
            rows.put(f[pidColumn], f);
        }
        return rows;
    }

    /**
     * Compares ps outputs: for every pid present in both runs, the columns {@code stable} must be
     * equal (CPU and memory figures change from one run to the next); nearly every process of the
     * real run must be there (those of the two tool runs themselves come and go).
     */
    static void comparePs(String real, String mirrored, int pidColumn, int commandColumn, int... stable) {
        if (!real.lines().findFirst().equals(mirrored.lines().findFirst())) {
            throw new AssertionError("headers differ:\n" + real.lines().findFirst() + "\n" + mirrored.lines().findFirst());
        }
        Map<String, String[]> a = psRows(real, pidColumn, commandColumn);
        Map<String, String[]> b = psRows(mirrored, pidColumn, commandColumn);
        Set<String> common = new TreeSet<>(a.keySet());
        common.retainAll(b.keySet());
        if (common.size() < a.size() - 8) {
            throw new AssertionError("processes missing through procsys: real " + a.keySet() + " mirrored " + b.keySet());
        }
        for (String pid : common) {
            // a process of another test that ended between the two runs (its cmdline is gone)
            if (a.get(pid)[commandColumn].endsWith("<defunct>") || b.get(pid)[commandColumn].endsWith("<defunct>")) continue;
            for (int c : stable) {
                String x = kernelWorker(a.get(pid)[c]), y = kernelWorker(b.get(pid)[c]);
                if (!x.equals(y)) {
                    throw new AssertionError("pid " + pid + " column " + c + ": real '" + x + "' procsys '" + y + "'\n"
                            + Arrays.toString(a.get(pid)) + "\n" + Arrays.toString(b.get(pid)));
                }
            }
        }
    }

    /**
     * A kernel worker's name carries the work queue it serves at the moment, '-' when it last did,
     * '+' while it does: "[kworker/0:1-events]", "[kworker/u8:1+netns]" → "[kworker/0:1]", "[kworker/u8:1]".
     */
    static String kernelWorker(String command) {
        return command.replaceAll("^\\[kworker/([^\\]+-]+)[+-][^\\]]*\\]$", "[kworker/$1]");
    }

    /** The line of {@code output} starting with {@code prefix}, split on blanks. */
    static String[] row(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + output))
                .strip().split("\\s+");
    }

    /** Names of interfaces in ifconfig -a output. */
    static Set<String> interfaces(String ifconfig) {
        return ifconfig.lines().filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0)))
                .map(l -> l.split(":")[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Lines that contain {@code word}, whitespace-squeezed, as a set. */
    static Set<String> linesWith(String output, String word) {
        return output.lines().filter(l -> l.contains(word)).map(l -> l.strip().replaceAll("\\s+", " "))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
