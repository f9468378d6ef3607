package io.procsys.fs.combine;

import io.procsys.fs.identity.PidMap;

import java.util.List;

/**
 * {@code /proc/loadavg}: {@code "l1 l5 l15 running/threads lastpid"}.
 * <ul>
 * <li>The three loads are summed: a load is an average run-queue length, and the cluster's run
 * queue is the hosts' queues together (divide by the CPUs of the combined cpuinfo for a fraction,
 * as Ganglia does).
 * <li>{@code running} and {@code threads} are summed.
 * <li>The last pid is this host's (index 0; 0 without its part). A remote host's last pid has no
 * cluster pid of its own ({@link PidMap} maps a process when a listing shows it), so it is checked
 * but not shown. It is only a hint that pids are being allocated (no tool in procps uses it).
 * </ul>
 */
final class LoadavgAggregator extends FoldingAggregator<LoadavgAggregator.Loadavg, LoadavgAggregator.Loadavg> {

    /** One loadavg line; loads in hundredths, the last pid cluster-wide. */
    record Loadavg(long load1, long load5, long load15, long running, long threads, long lastPid) {
        Loadavg plus(Loadavg other) {
            return new Loadavg(Math.addExact(load1, other.load1), Math.addExact(load5, other.load5),
                    Math.addExact(load15, other.load15), Math.addExact(running, other.running),
                    Math.addExact(threads, other.threads), Math.max(lastPid, other.lastPid));
        }
    }

    @Override
    Loadavg parse(HostPart part) {
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
        if (lastPid >= PidMap.HOST_PID_LIMIT) {
            throw Numbers.malformed(fields.field(4), "last pid");
        }
        return new Loadavg(
                Numbers.parseHundredths(fields.field(0), "load"),
                Numbers.parseHundredths(fields.field(1), "load"),
                Numbers.parseHundredths(fields.field(2), "load"),
                Numbers.parseUnsigned(tasks[0], "running"),
                Numbers.parseUnsigned(tasks[1], "threads"),
                part.isLocal() ? lastPid : 0);
    }

    @Override
    Loadavg empty() {
        return new Loadavg(0, 0, 0, 0, 0, 0);
    }

    @Override
    Loadavg add(Loadavg combined, HostPart part, Loadavg parsed, Report report) {
        return combined.plus(parsed);
    }

    @Override
    String render(Loadavg combined, Report report) {
        return Numbers.formatHundredths(combined.load1()) + " " + Numbers.formatHundredths(combined.load5()) + " "
                + Numbers.formatHundredths(combined.load15()) + " " + combined.running() + "/" + combined.threads()
                + " " + combined.lastPid() + "\n";
    }
}
