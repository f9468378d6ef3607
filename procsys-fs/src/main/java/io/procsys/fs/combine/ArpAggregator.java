package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;

import java.util.List;

/**
 * {@code /proc/net/arp}: the header once, then the neighbours of every host with exactly 6
 * columns ({@code arp} scans {@code %s 0x%x 0x%x %s %s %s}), Device renamed through
 * {@link InterfaceNames}.
 */
final class ArpAggregator extends RowTableAggregator {
    ArpAggregator() {
        super(1);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return hasWords(header, "IP address       HW type     Flags       HW address            Mask     Device");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireCount("arp", 6);
        return row.replaceLeftAligned(5, InterfaceNames.forHost(part.index(), row.field(5)));
    }
}
