package io.procsys.fs.combine;

import java.util.List;

/**
 * {@code /proc/loadavg}: {@code "l1 l5 l15 running/threads lastpid"}.
 * <ul>
 * <li>The three loads are summed: a load is an average run-queue length, and the cluster's run
 * queue is the hosts' queues together (divide by the CPUs of the combined cpuinfo for a fraction,
 * as Ganglia does).
 * <li>{@code running} and {@code threads} are summed.
 * <li>The last pid is the largest last pid after {@link PidCodec} encoding with its host's index.
 * It is only a hint that pids are being allocated (no tool in procps uses it); encoded, it is at
 * least a pid that exists in the cluster's pid space. With remote hosts it is a remote host's.
 * </ul>
 */
final class LoadavgAggregator extends FoldingAggregator<long[], long[]> {
    private static final int FIELDS = 6; // l1 l5 l15 running threads lastpid

    @Override
    long[] parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        if (lines.size() != 1) {
            throw new MalformedPartException(lines.size() + " lines, not 1");
        }
        Columns fields = Columns.of(lines.getFirst()).requireCount("loadavg", 5);
        String[] tasks = fields.field(3).split("/", -1);
        if (tasks.length != 2) {
            throw Numbers.malformed(fields.field(3), "running/threads");
        }
        long lastPid = Numbers.parseUnsigned(fields.field(4), "last pid");
        if (lastPid >= PidCodec.PID_LIMIT) {
            throw Numbers.malformed(fields.field(4), "last pid");
        }
        return new long[] {
                Numbers.parseHundredths(fields.field(0), "load"),
                Numbers.parseHundredths(fields.field(1), "load"),
                Numbers.parseHundredths(fields.field(2), "load"),
                Numbers.parseUnsigned(tasks[0], "running"),
                Numbers.parseUnsigned(tasks[1], "threads"),
                PidCodec.encode(part.index(), (int) lastPid)};
    }

    @Override
    long[] empty() {
        return new long[FIELDS];
    }

    @Override
    long[] add(long[] combined, HostPart part, long[] parsed, Report report) {
        long[] sum = Numbers.addPositionwise(combined, parsed);
        sum[5] = Math.max(combined[5], parsed[5]);
        return sum;
    }

    @Override
    String render(long[] combined, Report report) {
        return Numbers.formatHundredths(combined[0]) + " " + Numbers.formatHundredths(combined[1]) + " "
                + Numbers.formatHundredths(combined[2]) + " " + combined[3] + "/" + combined[4] + " " + combined[5] + "\n";
    }
}
