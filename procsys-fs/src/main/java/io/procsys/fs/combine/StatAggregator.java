package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.regex.Pattern;

/**
 * {@code /proc/stat}.
 * <ul>
 * <li>{@code cpu }: column-wise sum. Kernels print 4 to 10 columns; only the columns every host
 * has are summed (a column some hosts lack would be a partial sum), then zeros pad the line to
 * the 8 columns procps needs. {@code cpuN} lines get the same width, so they add up to it.
 * <li>{@code cpuN}: every host's CPUs in host order, renumbered densely right after {@code cpu }
 * (top counts them there; sysstat indexes arrays by CPU number).
 * <li>{@code btime}: the local host's (index 0), or, without it, the first host's (noted): the
 * pid layer rebases remote processes' start times onto it, so ps's START stays right.
 * <li>{@code intr}: the sum of the hosts' totals (its first number) alone. The per-IRQ columns
 * are dropped: an IRQ number means a different device on each host, so their sums would mean
 * nothing, and vmstat and node_exporter read only the total. Each host's whole line stays in
 * {@code hosts/NAME/stat}. (It also spares parsing lines of tens of thousands of columns.)
 * <li>Every other line ({@code ctxt}, {@code processes}, {@code procs_running},
 * {@code procs_blocked}, {@code softirq}): position-wise sums, a shorter line counting as
 * zero-padded. {@code softirq}'s columns are the kernel's fixed softirq kinds, the same on every
 * host.
 * </ul>
 */
final class StatAggregator extends FoldingAggregator<StatAggregator.Stat, StatAggregator.Stat> {
    private static final Pattern CPU_N = Pattern.compile("cpu[0-9]+");
    private static final int PROCPS_CPU_COLUMNS = 8;
    private static final String INTR = "intr";

    /**
     * @param cpu        the {@code cpu } line's numbers
     * @param cpus       the {@code cpuN} lines' numbers, in order
     * @param lines      every other line by name, {@code btime} included, in file order
     * @param btimeIndex the host whose {@code btime} is kept, -1 if none
     */
    record Stat(long[] cpu, List<long[]> cpus, SequencedMap<String, long[]> lines, int btimeIndex) {
    }

    @Override
    Stat parse(HostPart part) {
        long[] cpu = null;
        List<long[]> cpus = new ArrayList<>();
        SequencedMap<String, long[]> lines = new LinkedHashMap<>();
        for (String line : Text.lines(part.text())) {
            String name = Columns.firstField(line);
            long[] numbers = name.equals(INTR) ? Columns.firstUnsignedAfterFirst(line, name) : Columns.unsignedAfterFirst(line, name);
            if (numbers.length == 0) {
                throw new MalformedPartException("stat line has 1 < 2 fields: \"" + Columns.shorten(line) + "\"");
            }
            if (name.equals("cpu") && cpu == null && numbers.length >= 4) {
                cpu = numbers;
            } else if (CPU_N.matcher(name).matches() && cpu != null && numbers.length == cpu.length) {
                cpus.add(numbers);
            } else if (name.startsWith("cpu") || lines.containsKey(name) || (name.equals("btime") && numbers.length != 1)) {
                throw new MalformedPartException("unexpected line: \"" + Columns.shorten(line) + "\"");
            } else {
                lines.put(name, numbers);
            }
        }
        if (cpu == null) {
            throw new MalformedPartException("no cpu line");
        }
        if (cpus.size() > SysCpuView.MAX_CPUS) {
            throw new MalformedPartException(cpus.size() + " cpuN lines: more than Linux supports (" + SysCpuView.MAX_CPUS + ")");
        }
        return new Stat(cpu, cpus, lines, lines.containsKey("btime") ? part.index() : -1);
    }

    /** Null: the first part becomes the combination as it is. */
    @Override
    Stat empty() {
        return null;
    }

    /**
     * Adds in place: the combination holds only arrays parsed for this one combine. Every sum is
     * checked for overflow first, so a host that would overflow leaves the combination unchanged.
     */
    @Override
    Stat add(Stat combined, HostPart part, Stat parsed, Report report) {
        if (combined == null) {
            return new Stat(parsed.cpu(), new ArrayList<>(parsed.cpus()), new LinkedHashMap<>(parsed.lines()), parsed.btimeIndex());
        }
        int width = Math.min(combined.cpu().length, parsed.cpu().length);
        long[] cpu = Arrays.copyOf(combined.cpu(), width);
        Numbers.requireNoOverflow(cpu, parsed.cpu());
        for (var line : parsed.lines().entrySet()) {
            long[] before = combined.lines().get(line.getKey());
            if (before != null && !line.getKey().equals("btime")) Numbers.requireNoOverflow(before, line.getValue());
        }
        // nothing can fail from here on
        cpu = Numbers.addPositionwiseInPlace(cpu, Arrays.copyOf(parsed.cpu(), width));
        int btimeIndex = combined.btimeIndex();
        for (var line : parsed.lines().entrySet()) {
            String name = line.getKey();
            if (!name.equals("btime")) {
                combined.lines().merge(name, line.getValue(), Numbers::addPositionwiseInPlace);
            } else if (btimeIndex < 0 || (part.isLocal() && btimeIndex != 0)) {
                combined.lines().put(name, line.getValue());
                btimeIndex = part.index();
            }
        }
        combined.cpus().addAll(parsed.cpus());
        return new Stat(cpu, combined.cpus(), combined.lines(), btimeIndex);
    }

    @Override
    String render(Stat combined, Report report) {
        int width = combined.cpu().length;
        List<String> out = new ArrayList<>();
        out.add("cpu  " + cpuColumns(combined.cpu(), width));
        for (int n = 0; n < combined.cpus().size(); n++) {
            out.add("cpu" + n + " " + cpuColumns(combined.cpus().get(n), width));
        }
        combined.lines().forEach((name, values) -> out.add(name + " " + joined(values)));
        if (combined.btimeIndex() > 0) {
            report.note("btime of host #" + combined.btimeIndex() + ": no local btime");
        }
        if (combined.cpus().stream().anyMatch(cpu -> cpu.length > width)) {
            report.note("cpu lines cut to the " + width + " columns every host has");
        }
        return Text.join(out);
    }

    /** The first {@code width} numbers, zero-padded to the columns procps needs. */
    private static String cpuColumns(long[] values, int width) {
        return joined(Arrays.copyOf(Arrays.copyOf(values, width), Math.max(width, PROCPS_CPU_COLUMNS)));
    }

    private static String joined(long[] values) {
        StringBuilder text = new StringBuilder();
        for (long value : values) {
            text.append(text.isEmpty() ? "" : " ").append(value);
        }
        return text.toString();
    }
}
