package io.procsys.fs.combine;

import java.util.Set;

/**
 * {@code /proc/meminfo}: every amount summed over the hosts (the cluster has that much memory,
 * free memory, cache...), so {@code free} shows the cluster's memory and its used = MemTotal −
 * MemAvailable stays right. Sizes that are properties of the machine, not amounts, are kept.
 */
final class MeminfoAggregator extends KeyValueAggregator {
    /** The huge page size, and the size of the vmalloc address space: the same on every x86-64 host. */
    private static final Set<String> SAME = Set.of("Hugepagesize:", "VmallocTotal:");

    MeminfoAggregator() {
        super(true);
    }

    @Override
    Rule ruleOf(String key) {
        if (SAME.contains(key)) {
            return Rule.SAME;
        }
        // the largest free vmalloc chunk of the cluster is the largest of one host (as Kerrighed did)
        return key.equals("VmallocChunk:") ? Rule.MAX : Rule.SUM;
    }
}
