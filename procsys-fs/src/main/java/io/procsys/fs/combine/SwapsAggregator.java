package io.procsys.fs.combine;

import java.util.List;

/**
 * {@code /proc/swaps}: the header once, then the swap areas of every host. A remote area's
 * Filename becomes {@code h<i>:<filename>} ({@code h2:/dev/dm-2}): readable as host:path like
 * scp or NFS, and never a local path, so {@code swapoff -a} inside a mount cannot act on a local
 * device by mistake. The column is free text to {@code swapon -s}; {@code free} takes swap totals
 * from meminfo, not from here. Size, Used and Priority are kept.
 */
final class SwapsAggregator extends RowTableAggregator {
    SwapsAggregator() {
        super(1);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return hasWords(header, "Filename Type Size Used Priority");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireCount("swaps", 5); // the kernel escapes blanks in file names
        Numbers.parseUnsigned(row.field(2), "Size");
        Numbers.parseUnsigned(row.field(3), "Used");
        Numbers.parseLong(row.field(4), "Priority");
        return part.isLocal() ? row.line() : row.replaceLeftAligned(0, "h" + part.index() + ":" + row.field(0));
    }
}
