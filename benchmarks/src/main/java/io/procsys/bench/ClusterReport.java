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
            md.append("| hosts | hub, 1 | hub, 8 | tree, 1 | tree, 8 |").append(file.equals("meminfo") ? " node_exporter scrape+sum | hub, 1 ÷ node_exporter |" : "").append('\n');
            md.append("|---:|---:|---:|---:|---:|").append(file.equals("meminfo") ? "---:|---:|" : "").append('\n');
            for (int n : points.hostCounts()) {
                if (points.find("hub", n, file, 1).isEmpty() && points.find("tree", n, file, 1).isEmpty()) continue;
                md.append("| ").append(n);
                for (String topology : List.of("hub", "tree")) {
                    for (int readers : List.of(1, 8)) md.append(" | ").append(latency(points, topology, n, file, readers));
                }
                if (file.equals("meminfo")) {
                    md.append(" | ").append(latency(points, "node_exporter", n, "meminfo", 1))
                            .append(" | ").append(ratio(points, "p50_us", n)).append("× / ").append(ratio(points, "p99_us", n)).append("×");
                }
                md.append(" |\n");
            }
        }
        nodeExporterCpu(points, md);
        tools(points, md);
        processes(points, md);
        farm(points, md);
        agentCost(points, md);
        System.out.print(md);
    }

    /** ps -ef, top -bn1 and pgrep through the cluster mount against a one-host mirror with as many processes. */
    private static void tools(ClusterPoints points, StringBuilder md) {
        md.append("\nProcess tools through the hub mount against a single-host procsys mirror with as many processes (spawned sleepers); median ms\n\n");
        md.append("| hosts | processes | `ps -ef` | mirror | ratio | `top -bn1` | mirror | ratio | `pgrep -c java` | mirror | ratio | `pgrep -f java` | mirror | ratio |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : points.hostCounts()) {
            if (points.find("mirror", n, "ps -ef", 1).isEmpty()) continue;
            md.append("| ").append(n).append(" | ").append(number(points.value("mirror", n, "ps -ef", 1, "processes")));
            for (String tool : List.of("ps -ef", "top -bn1", "pgrep -c java", "pgrep -f java")) {
                double cluster = points.value("hub", n, tool, 1, "median_ms"), mirror = points.value("mirror", n, tool, 1, "median_ms");
                md.append(" | ").append(number(cluster)).append(" | ").append(number(mirror)).append(" | ").append(number(cluster / mirror)).append("×");
            }
            md.append(" |\n");
        }
    }

    /** The node_exporter side's CPU, to set beside the daemon's and the agents' below. */
    private static void nodeExporterCpu(ClusterPoints points, StringBuilder md) {
        for (int n : points.hostCounts()) {
            if (points.find("node_exporter", n, "meminfo", 1).isEmpty()) continue;
            md.append("\nnode_exporter, ").append(n).append(" hosts: CPU per scrape of each exporter ")
                    .append(number(points.value("node_exporter", n, "meminfo", 1, "exporter_cpu_us_per_scrape")))
                    .append(" µs, the scraping client's CPU per round (all hosts, summed) ")
                    .append(number(points.value("node_exporter", n, "meminfo", 1, "client_cpu_us_per_round"))).append(" µs.\n");
        }
    }

    /** The daemon and the agent processes: memory and CPU. */
    private static void processes(ClusterPoints points, StringBuilder md) {
        md.append("\nThe processes (hub): daemon RSS and CPU per combined `meminfo` read (1 reader); agents (one process each, TLS) CPU per request during those reads and mean RSS\n\n");
        md.append("| hosts | daemon RSS (MB) | daemon CPU/read (µs) | agent CPU/request (µs) | agent RSS (MB) |\n");
        md.append("|---:|---:|---:|---:|---:|\n");
        for (int n : points.hostCounts()) {
            if (points.find("hub", n, "daemon", 1).isEmpty()) continue;
            md.append("| ").append(n)
                    .append(" | ").append(number(points.value("hub", n, "daemon", 1, "rss_kb") / 1024))
                    .append(" | ").append(number(points.value("hub", n, "meminfo", 1, "cpu_us_per_read")))
                    .append(" | ").append(number(points.value("hub", n, "meminfo", 1, "agent_cpu_us_per_request")))
                    .append(" | ").append(number(points.value("hub", n, "daemon", 1, "agent_rss_kb") / 1024))
                    .append(" |\n");
        }
    }

    /** The labelled detail: the same mount over agents in one warm JVM (no TLS), which isolates the daemon. */
    private static void farm(ClusterPoints points, StringBuilder md) {
        for (int n : points.hostCounts()) {
            if (points.find("farm", n, "meminfo", 1).isEmpty()) continue;
            md.append("\nDaemon cost, agents in one JVM (").append(n).append(" agents sharing one warm JVM, no TLS; not a deployment): combined `meminfo` p50 / p99 ")
                    .append(latency(points, "farm", n, "meminfo", 1)).append(" ms, daemon CPU per read ")
                    .append(number(points.value("farm", n, "meminfo", 1, "cpu_us_per_read"))).append(" µs.\n");
        }
    }

    /** One fresh agent process, TLS on: CPU per request from its first request on. */
    private static void agentCost(ClusterPoints points, StringBuilder md) {
        points.find("agent", 1, "agent cost", 1).ifPresent(p -> {
            md.append("\nOne fresh agent process (TLS, `loadavg` reads one after another): startup ")
                    .append(p.path("startup_cpu_ms").asText()).append(" ms of CPU (warm-up included); CPU per request ");
            List<String> parts = new java.util.ArrayList<>();
            p.fieldNames().forEachRemaining(f -> {
                if (f.startsWith("cpu_us_")) parts.add("requests " + f.substring(7).replace('_', '–') + ": " + number(p.get(f).asDouble()) + " µs");
            });
            md.append(String.join(", ", parts)).append("; RSS after them ").append(number(p.path("rss_kb").asDouble() / 1024)).append(" MB.\n");
        });
    }

    /** hub (1 reader) over node_exporter, both timed the same way (cluster.sh). */
    private static String ratio(ClusterPoints points, String field, int n) {
        return number(points.value("hub", n, "meminfo", 1, field) / points.value("node_exporter", n, "meminfo", 1, field));
    }

    private static String latency(ClusterPoints points, String topology, int n, String measure, int readers) {
        double p50 = points.value(topology, n, measure, readers, "p50_us"), p99 = points.value(topology, n, measure, readers, "p99_us");
        return Double.isNaN(p50) ? "–" : number(p50 / 1000) + " / " + number(p99 / 1000);
    }

    static String number(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
