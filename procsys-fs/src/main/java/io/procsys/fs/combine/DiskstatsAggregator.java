package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;

import java.util.List;

/**
 * {@code /proc/diskstats}: no header; the rows of every host, each with its 14, 18 or 20 fields
 * (kernel < 4.18, ≥ 4.18 with discards, ≥ 5.5 with flushes) as they are. Remote device names go
 * through {@link InterfaceNames} ({@code sda} of host 1 is {@code h1-sda}); major and minor
 * numbers are kept, so they may repeat across hosts ({@code iostat} keys devices by name).
 */
final class DiskstatsAggregator extends RowTableAggregator {
    DiskstatsAggregator() {
        super(0);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return true;
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireCount("diskstats", 14, 18, 20);
        for (int i = 0; i < row.count(); i++) {
            if (i != 2) {
                Numbers.parseUnsigned(row.field(i), "diskstats field " + (i + 1));
            }
        }
        return row.replaceLeftAligned(2, InterfaceNames.forHost(part.index(), row.field(2)));
    }
}
