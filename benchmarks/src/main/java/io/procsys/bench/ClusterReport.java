package io.procsys.bench;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** The markdown tables of the cluster suite (cluster.json → stdout). */
public final class ClusterReport {
    public static void main(String[] args) throws IOException {
        ClusterPoints points = ClusterPoints.read(args[0]);
        StringBuilder md = new StringBuilder();
        for (String file : List.of("meminfo", "stat")) {
            md.append("\nCombined `cat ").append(file).append("`, p50 / p99 in ms (1 reader; 8 readers)\n\n");
            md.append("| hosts | hub, 1 | hub, 8 | tree, 1 | tree, 8 |").append(file.equals("meminfo") ? " node_exporter scrape+sum |" : "").append('\n');
            md.append("|---:|---:|---:|---:|---:|").append(file.equals("meminfo") ? "---:|" : "").append('\n');
            for (int n : points.hostCounts()) {
                md.append("| ").append(n);
                for (String topology : List.of("hub", "tree")) {
                    for (int readers : List.of(1, 8)) md.append(" | ").append(latency(points, topology, n, file, readers));
                }
                if (file.equals("meminfo")) md.append(" | ").append(latency(points, "node_exporter", n, "meminfo", 1));
                md.append(" |\n");
            }
        }
        md.append("\nTools through the mount (median ms) and the top daemon (RSS; CPU per combined meminfo read, 1 reader)\n\n");
        md.append("| hosts | hub `free` | hub `ps -ef` | tree `free` | tree `ps -ef` | hub RSS (MB) | hub CPU/read (µs) | tree RSS (MB) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : points.hostCounts()) {
            md.append("| ").append(n)
                    .append(" | ").append(number(points.value("hub", n, "free", 1, "median_ms")))
                    .append(" | ").append(number(points.value("hub", n, "ps -ef", 1, "median_ms")))
                    .append(" | ").append(number(points.value("tree", n, "free", 1, "median_ms")))
                    .append(" | ").append(number(points.value("tree", n, "ps -ef", 1, "median_ms")))
                    .append(" | ").append(number(points.value("hub", n, "daemon", 1, "rss_kb") / 1024))
                    .append(" | ").append(number(points.value("hub", n, "meminfo", 1, "cpu_us_per_read")))
                    .append(" | ").append(number(points.value("tree", n, "daemon", 1, "rss_kb") / 1024))
                    .append(" |\n");
        }
        System.out.print(md);
    }

    private static String latency(ClusterPoints points, String topology, int n, String measure, int readers) {
        double p50 = points.value(topology, n, measure, readers, "p50_us"), p99 = points.value(topology, n, measure, readers, "p99_us");
        return Double.isNaN(p50) ? "–" : number(p50 / 1000) + " / " + number(p99 / 1000);
    }

    static String number(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
