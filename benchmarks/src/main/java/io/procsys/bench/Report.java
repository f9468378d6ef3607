package io.procsys.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the run script's results (JMH JSON files and a JSON of the other measurements) into the
 * markdown table of the README: each figure for native /proc, procsys and C passthrough_ll from
 * the same run, with procsys ÷ C.
 */
public final class Report {
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: Report KERNEL_JSON[,...] INPROCESS_JSON[,...] EXTRA_JSON LABELS(native=/proc,procsys=...,C=...,LXCFS=...)");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, String> labelByRoot = new LinkedHashMap<>();
        for (String pair : args[3].split(",")) {
            String[] kv = pair.split("=", 2);
            labelByRoot.put(kv[1], kv[0]);
        }
        // (operation file) -> label -> [score, error]
        Map<String, Map<String, double[]>> kernel = new TreeMap<>();
        for (JsonNode run : runs(json, args[0])) {
            String op = run.get("benchmark").asText().replaceAll(".*\\.", "");
            String root = run.get("params").get("root").asText();
            String file = run.get("params").get("file").asText();
            JsonNode m = run.get("primaryMetric");
            kernel.computeIfAbsent(op + " " + file, k -> new LinkedHashMap<>())
                    .put(labelByRoot.getOrDefault(root, root), new double[]{m.get("score").asDouble(), m.get("scoreError").asDouble()});
        }
        StringBuilder out = new StringBuilder();
        out.append("| operation | native /proc (µs) | procsys (µs) | C passthrough_ll (µs) | LXCFS (µs) | procsys ÷ C | procsys ÷ LXCFS |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        kernel.forEach((key, byLabel) -> {
            double[] n = byLabel.get("native"), p = byLabel.get("procsys"), c = byLabel.get("C"), l = byLabel.get("LXCFS");
            out.append("| ").append(key).append(" | ").append(cell(n)).append(" | ").append(cell(p)).append(" | ")
                    .append(cell(c)).append(" | ").append(cell(l)).append(" | ").append(ratio(p, c)).append(" | ").append(ratio(p, l)).append(" |\n");
        });
        JsonNode extra = json.readTree(new File(args[2]));
        JsonNode ps = extra.get("ps_aux_ms");
        if (ps != null) {
            double p = ps.get("procsys").asDouble(), c = ps.get("C").asDouble();
            out.append(String.format("| `ps aux` (ms, median) | %.1f | %.1f | %.1f | – (no pid directories) | %.2f× | – |%n", ps.get("native").asDouble(), p, c, p / c));
        }
        out.append("\n| in process (no kernel) | µs/op | bytes allocated/op |\n|---|---:|---:|\n");
        for (JsonNode run : runs(json, args[1])) {
            String name = run.get("benchmark").asText().replaceAll(".*\\.(\\w+Benchmark)\\.", "$1.");
            StringBuilder params = new StringBuilder();
            run.path("params").fields().forEachRemaining(e -> {
                if (!e.getKey().equals("fixture")) params.append(params.isEmpty() ? " " : ", ").append(e.getKey()).append('=').append(e.getValue().asText());
            });
            JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
            out.append("| ").append(name).append(params).append(" | ")
                    .append(cell(new double[]{run.get("primaryMetric").get("score").asDouble(), run.get("primaryMetric").get("scoreError").asDouble()}))
                    .append(" | ").append(alloc.isMissingNode() ? "–" : String.format("%.0f", alloc.asDouble())).append(" |\n");
        }
        out.append("\n| other | measured |\n|---|---:|\n");
        for (var it = extra.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("ps_aux_ms")) out.append("| ").append(e.getKey()).append(" | ").append(e.getValue().asText()).append(" |\n");
        }
        System.out.print(out);
    }

    /** The runs of every JMH result file in a comma-separated list; a missing file adds none. */
    private static java.util.List<JsonNode> runs(ObjectMapper json, String files) throws IOException {
        java.util.List<JsonNode> runs = new java.util.ArrayList<>();
        for (String file : files.split(",")) {
            if (new File(file).exists()) json.readTree(new File(file)).forEach(runs::add);
        }
        return runs;
    }

    private static String ratio(double[] a, double[] b) {
        return a != null && b != null ? String.format("%.2f×", a[0] / b[0]) : "–";
    }

    private static String cell(double[] v) {
        if (v == null) return "–";
        return Double.isNaN(v[1]) ? String.format("%.2f", v[0]) : String.format("%.2f ± %.2f", v[0], v[1]);
    }
}
