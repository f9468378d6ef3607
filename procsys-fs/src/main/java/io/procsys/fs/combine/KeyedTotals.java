package io.procsys.fs.combine;

import java.util.Collections;
import java.util.HashMap;
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
 * <p>{@link #plus} works in two steps: it computes every new figure first (where a sum may
 * overflow), and only then stores them, so an overflowing host leaves the totals unchanged. The
 * totals are updated in place: copying them per host made a fold over n hosts cost n².
 */
final class KeyedTotals<K> {
    private final Function<K, Rule> rules;
    private final SequencedMap<K, Long> totals = new LinkedHashMap<>();
    private final Map<K, String> firstHost = new HashMap<>();

    KeyedTotals(Function<K, Rule> rules) {
        this.rules = rules;
    }

    /** These totals with one host's figures added; throws {@link ArithmeticException} on overflow. */
    KeyedTotals<K> plus(HostPart part, SequencedMap<K, Long> figures, Report report) {
        Object[] keys = new Object[figures.size()];
        long[] updated = new long[figures.size()];
        int n = 0;
        StringBuilder differences = new StringBuilder();
        for (Map.Entry<K, Long> figure : figures.entrySet()) {
            K key = figure.getKey();
            long value = figure.getValue();
            Long before = totals.get(key);
            long after = value;
            if (before != null) {
                after = switch (rules.apply(key)) {
                    case SUM -> Math.addExact(before, value);
                    case MAX -> Math.max(before, value);
                    case SAME -> {
                        if (before != value) {
                            differences.append(String.format(Locale.ROOT, "%s: kept %d of %s, %s has %d; ",
                                    key, before, firstHost.get(key), part.host(), value));
                        }
                        yield before;
                    }
                };
            }
            keys[n] = key;
            updated[n++] = after;
        }
        // nothing can fail from here on
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked") K key = (K) keys[i];
            if (totals.put(key, updated[i]) == null) firstHost.put(key, part.host());
        }
        if (!differences.isEmpty()) {
            report.note(differences.substring(0, differences.length() - 2));
        }
        return this;
    }

    SequencedMap<K, Long> totals() {
        return Collections.unmodifiableSequencedMap(totals);
    }
}
