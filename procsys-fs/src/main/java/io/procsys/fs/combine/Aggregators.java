package io.procsys.fs.combine;

import java.util.Map;
import java.util.Optional;

/** The aggregator of each top-level /proc file procsys combines across hosts. */
public final class Aggregators {
    private static final SocketTableAggregator SOCKETS = new SocketTableAggregator();
    private static final Map<String, Aggregator> BY_PATH = Map.ofEntries(
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

    /**
     * The aggregator of a path relative to the proc root ({@code "meminfo"}, {@code "net/dev"}), or
     * empty if procsys does not combine that file. Aggregators are stateless and thread-safe.
     */
    public static Optional<Aggregator> forPath(String topLevelPath) {
        return Optional.ofNullable(BY_PATH.get(topLevelPath));
    }
}
