package io.procsys.fs.combine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Function;

/**
 * Named figures of several hosts combined by a {@link Rule} per name. Names keep the order in
 * which they were first seen (the first host's order, then names only later hosts have); a name
 * missing on some hosts is combined over the hosts that have it.
 *
 * <p>Immutable: {@link #plus} returns a new instance, so an overflow leaves the fold unchanged.
 */
final class KeyedTotals<K> {
    private final Function<K, Rule> rules;
    private final SequencedMap<K, Long> totals;
    private final Map<K, String> firstHost;

    KeyedTotals(Function<K, Rule> rules) {
        this(rules, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private KeyedTotals(Function<K, Rule> rules, SequencedMap<K, Long> totals, Map<K, String> firstHost) {
        this.rules = rules;
        this.totals = totals;
        this.firstHost = firstHost;
    }

    /** These totals with one host's figures added; throws {@link ArithmeticException} on overflow. */
    KeyedTotals<K> plus(HostPart part, SequencedMap<K, Long> figures, Report report) {
        SequencedMap<K, Long> sums = new LinkedHashMap<>(totals);
        Map<K, String> first = new LinkedHashMap<>(firstHost);
        StringBuilder differences = new StringBuilder();
        figures.forEach((key, value) -> {
            Long before = sums.get(key);
            if (before == null) {
                sums.put(key, value);
                first.put(key, part.host());
                return;
            }
            switch (rules.apply(key)) {
                case SUM -> sums.put(key, Math.addExact(before, value));
                case MAX -> sums.put(key, Math.max(before, value));
                case SAME -> {
                    if (before.longValue() != value) {
                        differences.append(String.format(Locale.ROOT, "%s: kept %d of %s, %s has %d; ",
                                key, before, first.get(key), part.host(), value));
                    }
                }
            }
        });
        if (!differences.isEmpty()) { // only now: nothing can fail any more
            report.note(differences.substring(0, differences.length() - 2));
        }
        return new KeyedTotals<>(rules, sums, first);
    }

    SequencedMap<K, Long> totals() {
        return Collections.unmodifiableSequencedMap(totals);
    }
}
