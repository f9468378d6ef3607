package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /proc/cpuinfo}: the hosts' blocks in host order, blank-line separated as the kernel
 * prints them, with {@code processor} renumbered densely 0..N-1 over the cluster (top and sysstat
 * use it as an index) and {@code physical id} made unique per host: a host's ids are offset by
 * the sum of (largest id + 1) of the hosts before it. That is the number of distinct ids of the
 * hosts before when ids are dense, as the kernel prints them, and still cannot collide when a
 * host's ids are sparse. {@code core id} is per package, so it stays. Other lines are kept.
 * A host claiming more processors than Linux supports ({@link SysCpuView#MAX_CPUS}) is malformed.
 */
final class CpuinfoAggregator extends FoldingAggregator<CpuinfoAggregator.Parsed, CpuinfoAggregator.Combined> {
    private static final String PROCESSOR = "processor";
    private static final String PHYSICAL_ID = "physical id";

    record Parsed(List<String> lines, int processors, long packages) {
    }

    /** {@code lines} is appended to in place (see {@link #add}). */
    record Combined(List<String> lines, int processors, long packages) {
    }

    @Override
    Parsed parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        int processors = 0;
        long packages = 0;
        for (String line : lines) {
            switch (keyOf(line)) {
                case PROCESSOR -> {
                    Numbers.parseUnsigned(valueOf(line), PROCESSOR);
                    processors++;
                }
                case PHYSICAL_ID -> packages = Math.max(packages, Numbers.parseUnsigned(valueOf(line), PHYSICAL_ID) + 1);
                default -> {
                }
            }
        }
        if (processors == 0) {
            throw new MalformedPartException("no processor line");
        }
        if (processors > SysCpuView.MAX_CPUS) {
            throw new MalformedPartException(processors + " processors: more than Linux supports (" + SysCpuView.MAX_CPUS + ")");
        }
        return new Parsed(lines, processors, packages);
    }

    @Override
    Combined empty() {
        return new Combined(new ArrayList<>(), 0, 0);
    }

    @Override
    Combined add(Combined combined, HostPart part, Parsed parsed, Report report) {
        List<String> renumbered = new ArrayList<>();
        if (!combined.lines().isEmpty() && !combined.lines().getLast().isBlank()) {
            renumbered.add(""); // keep hosts' blocks apart
        }
        int processor = combined.processors();
        for (String line : parsed.lines()) {
            renumbered.add(switch (keyOf(line)) {
                case PROCESSOR -> withValue(line, processor++);
                case PHYSICAL_ID -> withValue(line, Math.addExact(combined.packages(), Long.parseLong(valueOf(line))));
                default -> line;
            });
        }
        long packages = Math.addExact(combined.packages(), parsed.packages());
        combined.lines().addAll(renumbered); // nothing can fail after this
        return new Combined(combined.lines(), processor, packages);
    }

    @Override
    String render(Combined combined, Report report) {
        return Text.join(combined.lines());
    }

    /** The name before the first ':' ("processor\t: 0" is "processor"), or "" without one. */
    private static String keyOf(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(0, colon).strip();
    }

    private static String valueOf(String line) {
        return line.substring(line.indexOf(':') + 1).strip();
    }

    /** The line with its value replaced, its {@code "name\t: "} kept. */
    private static String withValue(String line, long value) {
        return line.substring(0, line.indexOf(':') + 1) + " " + value;
    }
}
