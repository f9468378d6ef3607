package io.procsys.fs.combine;

import java.util.List;

/**
 * {@code /proc/uptime}: {@code "uptime idle"} in seconds with two decimals. Uptime is the largest
 * of the hosts (the cluster is up since its oldest boot). Idle is the sum: each host's idle is
 * already summed over its CPUs, so the sum keeps idle / (uptime × CPUs) a meaningful idle
 * fraction with the CPUs of the combined cpuinfo. Exact: values are added as hundredths.
 */
final class UptimeAggregator extends FoldingAggregator<UptimeAggregator.Uptime, UptimeAggregator.Uptime> {

    /** One uptime line, in hundredths of a second. */
    record Uptime(long uptime, long idle) {
        Uptime plus(Uptime other) {
            return new Uptime(Math.max(uptime, other.uptime), Math.addExact(idle, other.idle));
        }
    }

    @Override
    Uptime parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        if (lines.size() != 1) {
            throw new MalformedPartException(lines.size() + " lines, not 1");
        }
        Columns fields = Columns.of(lines.getFirst()).requireCount("uptime", 2);
        return new Uptime(Numbers.parseHundredths(fields.field(0), "uptime"), Numbers.parseHundredths(fields.field(1), "idle"));
    }

    @Override
    Uptime empty() {
        return new Uptime(0, 0);
    }

    @Override
    Uptime add(Uptime combined, HostPart part, Uptime parsed, Report report) {
        return combined.plus(parsed);
    }

    @Override
    String render(Uptime combined, Report report) {
        return Numbers.formatHundredths(combined.uptime()) + " " + Numbers.formatHundredths(combined.idle()) + "\n";
    }
}
