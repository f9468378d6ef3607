package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;

import java.util.List;

/**
 * {@code /proc/net/dev}: the two header lines once, then the interfaces of every host with their
 * 16 counters as they are. Remote names go through {@link InterfaceNames} and stay right-aligned
 * in the kernel's {@code %6s:} style. A row is split at its last ':' like ifconfig and
 * node_exporter do (the counters may touch the colon).
 */
final class NetDevAggregator extends RowTableAggregator {
    NetDevAggregator() {
        super(2);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return hasWords(header,
                "Inter-|   Receive                                                |  Transmit",
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        String line = row.line();
        int colon = line.lastIndexOf(':');
        String name = colon < 0 ? "" : line.substring(0, colon).strip();
        if (name.isEmpty()) {
            throw new MalformedPartException("no interface name: \"" + Columns.shorten(line) + "\"");
        }
        Columns counters = Columns.of(line.substring(colon + 1)).requireCount("net/dev", 16);
        for (String counter : counters.fields()) {
            Numbers.parseUnsigned(counter, name + " counter");
        }
        String renamed = InterfaceNames.forHost(part.index(), name);
        return " ".repeat(Math.max(0, colon - renamed.length())) + renamed + line.substring(colon);
    }
}
