package io.procsys.fs.combine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The one registry of the /proc files procsys combines across hosts, each with its aggregator
 * (docs/aggregation.md says what each does). Everything that needs the list (the cluster mount,
 * {@code procsys exec --files-only}, the tests) takes it from here.
 */
public final class Aggregators {
    private static final SocketTableAggregator SOCKETS = new SocketTableAggregator();
    private static final SequencedMap<String, Aggregator> BY_PATH = ordered(
            Map.entry("meminfo", new MeminfoAggregator()),
            Map.entry("vmstat", new VmstatAggregator()),
            Map.entry("cpuinfo", new CpuinfoAggregator()),
            Map.entry("stat", new StatAggregator()),
            Map.entry("uptime", new UptimeAggregator()),
            Map.entry("loadavg", new LoadavgAggregator()),
            Map.entry("swaps", new SwapsAggregator()),
            Map.entry("diskstats", new DiskstatsAggregator()),
            Map.entry("net/dev", new NetDevAggregator()),
            Map.entry("net/snmp", new SnmpAggregator()),
            Map.entry("net/netstat", new NetstatAggregator()),
            Map.entry("net/tcp", SOCKETS),
            Map.entry("net/tcp6", SOCKETS),
            Map.entry("net/udp", SOCKETS),
            Map.entry("net/udp6", SOCKETS),
            Map.entry("net/unix", new UnixSocketsAggregator()),
            Map.entry("net/route", new RouteAggregator()),
            Map.entry("net/arp", new ArpAggregator()));

    private Aggregators() {
    }

    @SafeVarargs
    private static SequencedMap<String, Aggregator> ordered(Map.Entry<String, Aggregator>... entries) {
        SequencedMap<String, Aggregator> map = new LinkedHashMap<>();
        for (var e : entries) map.put(e.getKey(), e.getValue());
        return java.util.Collections.unmodifiableSequencedMap(map);
    }

    /** Every combined path, relative to the proc root, in a fixed order. */
    public static List<String> paths() {
        return List.copyOf(BY_PATH.keySet());
    }

    /** The combined files directly under the proc root (not under net/, which is per process in a real /proc). */
    public static List<String> topLevelPaths() {
        return BY_PATH.keySet().stream().filter(p -> p.indexOf('/') < 0).toList();
    }

    /**
     * The aggregator of a path relative to the proc root ({@code "meminfo"}, {@code "net/dev"}), or
     * empty if procsys does not combine that file. Aggregators are stateless and thread-safe.
     */
    public static Optional<Aggregator> forPath(String topLevelPath) {
        return Optional.ofNullable(BY_PATH.get(topLevelPath));
    }
}
