package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Files made of line pairs {@code Prefix: name name ...} / {@code Prefix: value value ...}
 * ({@code net/snmp}, {@code net/netstat}): values combined by (prefix, name) with a {@link Rule}.
 * A name only some hosts have ({@code IcmpMsg: InType3}) is combined over those and printed after
 * the first host's names of that prefix.
 */
abstract class CounterPairsAggregator
        extends FoldingAggregator<SequencedMap<CounterPairsAggregator.Counter, Long>, KeyedTotals<CounterPairsAggregator.Counter>> {

    /** One figure: {@code prefix} without its colon ("Tcp"), {@code name} ("CurrEstab"). */
    record Counter(String prefix, String name) {
    }

    abstract Rule ruleOf(Counter counter);

    @Override
    SequencedMap<Counter, Long> parse(HostPart part) {
        List<String> lines = Text.lines(part.text());
        if (lines.isEmpty() || lines.size() % 2 != 0) {
            throw new MalformedPartException(lines.size() + " lines, not pairs of names and values");
        }
        SequencedMap<Counter, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i += 2) {
            List<String> names = Columns.of(lines.get(i)).fields();
            List<String> numbers = Columns.of(lines.get(i + 1)).fields();
            String prefix = names.isEmpty() ? "" : names.getFirst();
            if (numbers.isEmpty() || !prefix.endsWith(":") || !numbers.getFirst().equals(prefix) || names.size() != numbers.size()) {
                throw new MalformedPartException("names and values do not pair: \"" + Columns.shorten(lines.get(i)) + "\"");
            }
            for (int f = 1; f < names.size(); f++) {
                Counter counter = new Counter(prefix.substring(0, prefix.length() - 1), names.get(f));
                if (values.put(counter, Numbers.parseLong(numbers.get(f), counter.toString())) != null) {
                    throw new MalformedPartException("counter twice: " + counter);
                }
            }
        }
        return values;
    }

    @Override
    KeyedTotals<Counter> empty() {
        return new KeyedTotals<>(this::ruleOf);
    }

    @Override
    KeyedTotals<Counter> add(KeyedTotals<Counter> combined, HostPart part, SequencedMap<Counter, Long> parsed, Report report) {
        return combined.plus(part, parsed, report);
    }

    @Override
    String render(KeyedTotals<Counter> combined, Report report) {
        Map<String, StringBuilder[]> pairs = new LinkedHashMap<>(); // prefix -> {names line, values line}
        combined.totals().forEach((counter, value) -> {
            StringBuilder[] pair = pairs.computeIfAbsent(counter.prefix(),
                    prefix -> new StringBuilder[] {new StringBuilder(prefix + ":"), new StringBuilder(prefix + ":")});
            pair[0].append(' ').append(counter.name());
            pair[1].append(' ').append(value);
        });
        List<String> lines = new ArrayList<>();
        pairs.values().forEach(pair -> {
            lines.add(pair[0].toString());
            lines.add(pair[1].toString());
        });
        return Text.join(lines);
    }
}
