package io.procsys.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * The report's pictures, drawn by JFreeChart from the result files: cluster latency and daemon
 * memory against host count (cluster.json), and single-host latency per system per file
 * (kernel.json, JMH). Usage: Charts RESULTS_DIR — writes PNGs next to the results.
 */
public final class Charts {
    public static void main(String[] args) throws IOException {
        File dir = new File(args[0]);
        System.setProperty("java.awt.headless", "true");
        File cluster = new File(dir, "cluster.json");
        if (cluster.exists()) {
            ClusterPoints points = ClusterPoints.read(cluster.getPath());
            save(latencyAgainstHosts(points), new File(dir, "cluster-latency.png"));
            save(memoryAgainstHosts(points), new File(dir, "cluster-memory.png"));
        }
        List<JsonNode> kernel = new java.util.ArrayList<>();
        for (String name : List.of("kernel-fuse.json", "kernel-lxcfs.json")) {
            File f = new File(dir, name);
            if (f.exists()) new ObjectMapper().readTree(f).forEach(kernel::add);
        }
        if (!kernel.isEmpty()) save(singleHost(kernel), new File(dir, "single-host.png"));
    }

    private static JFreeChart latencyAgainstHosts(ClusterPoints points) {
        XYSeriesCollection series = new XYSeriesCollection();
        for (String topology : List.of("hub", "tree", "node_exporter")) {
            for (String field : List.of("p50_us", "p99_us")) {
                XYSeries s = new XYSeries(topology + " " + field.substring(0, 3));
                for (int n : points.hostCounts()) {
                    double v = points.value(topology, n, "meminfo", 1, field);
                    if (!Double.isNaN(v)) s.add(n, v / 1000);
                }
                if (!s.isEmpty()) series.addSeries(s);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Combined meminfo, 1 reader", "hosts", "latency (ms)", series,
                PlotOrientation.VERTICAL, true, false, false);
        logAxes(chart.getXYPlot(), "hosts", "latency (ms)");
        return chart;
    }

    private static JFreeChart memoryAgainstHosts(ClusterPoints points) {
        XYSeriesCollection series = new XYSeriesCollection();
        for (String topology : List.of("hub", "tree")) {
            XYSeries s = new XYSeries(topology + " daemon RSS");
            for (int n : points.hostCounts()) {
                double v = points.value(topology, n, "daemon", 1, "rss_kb");
                if (!Double.isNaN(v)) s.add(n, v / 1024);
            }
            if (!s.isEmpty()) series.addSeries(s);
        }
        return ChartFactory.createXYLineChart("Mounting daemon memory", "hosts", "RSS (MB)", series,
                PlotOrientation.VERTICAL, true, false, false);
    }

    /** JMH KernelPathBenchmark.read results: one bar per system (root) per file. */
    private static JFreeChart singleHost(List<JsonNode> jmh) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (JsonNode run : jmh) {
            if (!run.path("benchmark").asText().endsWith(".read")) continue;
            String root = run.path("params").path("root").asText();
            String system = root.equals("/proc") ? "native /proc" : root.contains("lxcfs") ? "LXCFS" : root.endsWith("/c") ? "C passthrough_ll" : "procsys";
            data.addValue(run.path("primaryMetric").path("score").asDouble(), system, run.path("params").path("file").asText());
        }
        return ChartFactory.createBarChart("open+read+close, single host", "file", "µs per read", data,
                PlotOrientation.VERTICAL, true, false, false);
    }

    private static void logAxes(XYPlot plot, String x, String y) {
        LogAxis hosts = new LogAxis(x);
        hosts.setBase(2);
        hosts.setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        hosts.setNumberFormatOverride(new java.text.DecimalFormat("0"));
        plot.setDomainAxis(hosts);
        LogAxis latency = new LogAxis(y);
        latency.setNumberFormatOverride(new java.text.DecimalFormat("0.#"));
        plot.setRangeAxis(latency);
    }

    private static void save(JFreeChart chart, File file) throws IOException {
        ChartUtils.saveChartAsPNG(file, chart, 900, 560);
        System.out.println("chart: " + file);
    }
}
