package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Files of one named value a line, {@code Key: value [kB]} (meminfo) or {@code key value}
 * (vmstat): values combined by name with a {@link Rule} per name.
 *
 * <p>Each line is printed in the layout of the first host that has it: the value right-aligned
 * to end in the same column (the kernel's {@code %-16s%8lu} style), at least one blank after the
 * name, then the same unit. So {@code free}, {@code top} and node_exporter parse it as before.
 */
abstract class KeyValueAggregator
        extends FoldingAggregator<KeyValueAggregator.Parsed, KeyValueAggregator.Combined> {

    /** Where a line's value ends and what follows it (" kB" or nothing). */
    record Layout(int valueEnd, String unit) {
    }

    record Parsed(SequencedMap<String, Long> values, Map<String, Layout> layouts) {
    }

    record Combined(KeyedTotals<String> totals, Map<String, Layout> layouts) {
    }

    private final boolean keysEndWithColon;

    KeyValueAggregator(boolean keysEndWithColon) {
        this.keysEndWithColon = keysEndWithColon;
    }

    /** The rule of a name as it appears in the file ("Hugepagesize:" for meminfo). */
    abstract Rule ruleOf(String key);

    @Override
    Parsed parse(HostPart part) {
        SequencedMap<String, Long> values = new LinkedHashMap<>();
        Map<String, Layout> layouts = new HashMap<>();
        for (String line : Text.lines(part.text())) {
            Columns columns = Columns.of(line).requireCount("key-value", 2, 3);
            String key = columns.field(0);
            if (keysEndWithColon != key.endsWith(":") || (columns.count() == 3 && !columns.field(2).equals("kB"))) {
                throw new MalformedPartException("not a key-value line: \"" + Columns.shorten(line) + "\"");
            }
            if (values.put(key, columns.unsigned(1, key)) != null) {
                throw new MalformedPartException("key twice: " + key);
            }
            layouts.put(key, new Layout(columns.end(1), columns.count() == 3 ? " kB" : ""));
        }
        if (values.isEmpty()) {
            throw new MalformedPartException("empty");
        }
        return new Parsed(values, layouts);
    }

    @Override
    Combined empty() {
        return new Combined(new KeyedTotals<>(this::ruleOf), new HashMap<>());
    }

    @Override
    Combined add(Combined combined, HostPart part, Parsed parsed, Report report) {
        combined.totals().plus(part, parsed.values(), report); // first: it may throw
        parsed.layouts().forEach(combined.layouts()::putIfAbsent); // the first host's layout wins
        return combined;
    }

    @Override
    String render(Combined combined, Report report) {
        List<String> lines = new ArrayList<>();
        combined.totals().totals().forEach((key, value) -> {
            Layout layout = combined.layouts().get(key);
            String digits = Long.toString(value);
            int blanks = Math.max(1, layout.valueEnd() - key.length() - digits.length());
            lines.add(key + " ".repeat(blanks) + digits + layout.unit());
        });
        return Text.join(lines);
    }
}
