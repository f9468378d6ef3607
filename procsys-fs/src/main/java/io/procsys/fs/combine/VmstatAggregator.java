package io.procsys.fs.combine;

/**
 * {@code /proc/vmstat}: {@code nr_*} page counts are gauges and the rest are event counters,
 * both summed ({@code vmstat} takes page in/out and swap in/out rates from them). Thresholds such
 * as {@code nr_dirty_threshold} are per-host amounts, so their sum is the cluster's.
 */
final class VmstatAggregator extends KeyValueAggregator {
    VmstatAggregator() {
        super(false);
    }

    @Override
    Rule ruleOf(String key) {
        return Rule.SUM;
    }
}
