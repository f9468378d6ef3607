package io.procsys.fs.combine;

import java.util.List;

/**
 * {@code /proc/uptime}: {@code "uptime idle"} in seconds with two decimals. Uptime is the largest
 * of the hosts (the cluster is up since its oldest boot). Idle is the sum: each host's idle is
 * already summed over its CPUs, so the sum keeps idle / (uptime × CPUs) a meaningful idle
 * fraction with the CPUs of the combined cpuinfo. Exact: values are added as hundredths.
 */
final class UptimeAggregator extends FoldingAggregator<long[], long[]> {
    @Override
    long[] parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        if (lines.size() != 1) {
            throw new MalformedPartException(lines.size() + " lines, not 1");
        }
        Columns fields = Columns.of(lines.getFirst()).requireCount("uptime", 2);
        return new long[] {Numbers.parseHundredths(fields.field(0), "uptime"), Numbers.parseHundredths(fields.field(1), "idle")};
    }

    @Override
    long[] empty() {
        return new long[] {0, 0};
    }

    @Override
    long[] add(long[] combined, HostPart part, long[] parsed, Report report) {
        return new long[] {Math.max(combined[0], parsed[0]), Math.addExact(combined[1], parsed[1])};
    }

    @Override
    String render(long[] combined, Report report) {
        return Numbers.formatHundredths(combined[0]) + " " + Numbers.formatHundredths(combined[1]) + "\n";
    }
}
