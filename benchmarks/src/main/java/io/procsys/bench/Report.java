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
            System.err.println("usage: Report KERNEL_JSON DISPATCH_JSON EXTRA_JSON LABELS(native=/proc,procsys=...,C=...)");
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
        for (JsonNode run : json.readTree(new File(args[0]))) {
            String op = run.get("benchmark").asText().replaceAll(".*\\.", "");
            String root = run.get("params").get("root").asText();
            String file = run.get("params").get("file").asText();
            JsonNode m = run.get("primaryMetric");
            kernel.computeIfAbsent(op + " " + file, k -> new LinkedHashMap<>())
                    .put(labelByRoot.getOrDefault(root, root), new double[]{m.get("score").asDouble(), m.get("scoreError").asDouble()});
        }
        StringBuilder out = new StringBuilder();
        out.append("| operation | native /proc (µs) | procsys (µs) | C passthrough_ll (µs) | procsys ÷ C |\n");
        out.append("|---|---:|---:|---:|---:|\n");
        kernel.forEach((key, byLabel) -> {
            double[] n = byLabel.get("native"), p = byLabel.get("procsys"), c = byLabel.get("C");
            out.append("| ").append(key).append(" | ").append(cell(n)).append(" | ").append(cell(p)).append(" | ")
                    .append(cell(c)).append(" | ").append(p != null && c != null ? String.format("%.2f×", p[0] / c[0]) : "–").append(" |\n");
        });
        JsonNode extra = json.readTree(new File(args[2]));
        JsonNode ps = extra.get("ps_aux_ms");
        if (ps != null) {
            double p = ps.get("procsys").asDouble(), c = ps.get("C").asDouble();
            out.append(String.format("| `ps aux` (ms, median) | %.1f | %.1f | %.1f | %.2f× |%n", ps.get("native").asDouble(), p, c, p / c));
        }
        out.append("\n| in-process dispatch (no kernel) | µs/op |\n|---|---:|\n");
        for (JsonNode run : json.readTree(new File(args[1]))) {
            out.append("| ").append(run.get("benchmark").asText().replaceAll(".*\\.", "")).append(" | ")
                    .append(cell(new double[]{run.get("primaryMetric").get("score").asDouble(), run.get("primaryMetric").get("scoreError").asDouble()}))
                    .append(" |\n");
        }
        out.append("\n| other | measured |\n|---|---:|\n");
        for (var it = extra.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("ps_aux_ms")) out.append("| ").append(e.getKey()).append(" | ").append(e.getValue().asText()).append(" |\n");
        }
        System.out.print(out);
    }

    private static String cell(double[] v) {
        if (v == null) return "–";
        return Double.isNaN(v[1]) ? String.format("%.2f", v[0]) : String.format("%.2f ± %.2f", v[0], v[1]);
    }
}
