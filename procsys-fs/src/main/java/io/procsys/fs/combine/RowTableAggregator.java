package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.List;

/**
 * Tables: a fixed number of header lines, then one row per line (net/dev, net/tcp, diskstats,
 * swaps...). The combination is the first usable part's header once, then the rows of every host
 * in host order, each row rewritten for its host by {@link #rewrite} (renamed device, unique
 * inode) and, at its final position, by {@link #renumber} (net/tcp's {@code sl}).
 *
 * <p>A part is dropped whole if its header is not the expected one (a different layout would be
 * misread under the first host's header) or any row is malformed.
 */
abstract class RowTableAggregator extends FoldingAggregator<RowTableAggregator.Table, RowTableAggregator.Table> {

    record Table(List<String> header, List<String> rows) {
    }

    private final int headerLines;

    RowTableAggregator(int headerLines) {
        this.headerLines = headerLines;
    }

    /** Whether these are the header lines this aggregator understands. */
    abstract boolean isExpectedHeader(List<String> header);

    /** Checks one row of {@code part} (throws if malformed) and makes it unique in the cluster. */
    abstract String rewrite(HostPart part, Columns row);

    /** The row as printed at {@code position} (0-based) of the combined table; as is by default. */
    String renumber(String row, int position) {
        return row;
    }

    /** Header check for tables whose header lines are fixed words (whitespace may differ). */
    static boolean hasWords(List<String> header, String... lines) {
        for (int i = 0; i < lines.length; i++) {
            if (!Columns.of(header.get(i)).fields().equals(Columns.of(lines[i]).fields())) {
                return false;
            }
        }
        return true;
    }

    @Override
    Table parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        if (lines.size() < headerLines || !isExpectedHeader(lines.subList(0, headerLines))) {
            throw new MalformedPartException("missing or unexpected header");
        }
        List<String> rows = new ArrayList<>(lines.size() - headerLines);
        for (String line : lines.subList(headerLines, lines.size())) {
            rows.add(rewrite(part, Columns.of(line)));
        }
        return new Table(lines.subList(0, headerLines), rows);
    }

    @Override
    Table empty() {
        return new Table(null, new ArrayList<>());
    }

    @Override
    Table add(Table combined, HostPart part, Table parsed, Report report) {
        combined.rows().addAll(parsed.rows()); // cannot fail: appending in place is fine
        return combined.header() != null ? combined : new Table(parsed.header(), combined.rows());
    }

    @Override
    String render(Table combined, Report report) {
        List<String> lines = new ArrayList<>(combined.header());
        for (String row : combined.rows()) {
            lines.add(renumber(row, lines.size() - headerLines));
        }
        return Text.join(lines);
    }
}
