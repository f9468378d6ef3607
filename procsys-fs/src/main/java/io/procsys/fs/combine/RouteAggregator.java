package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;

import java.util.List;

/**
 * {@code /proc/net/route}: the header once, then the routes of every host with exactly 11
 * columns (node_exporter checks it), Iface renamed through {@link InterfaceNames}. {@code route}
 * finds columns by the header's names, so a part with another header is dropped. The routes of
 * remote hosts are theirs, not the local host's: the table lists them, nothing routes by them.
 */
final class RouteAggregator extends RowTableAggregator {
    RouteAggregator() {
        super(1);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return hasWords(header, "Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireCount("route", 11);
        return row.replaceLeftAligned(0, InterfaceNames.forHost(part.index(), row.field(0)));
    }
}
