package io.procsys.fs.combine;

/**
 * {@code /proc/net/netstat} ({@code TcpExt}, {@code IpExt}, {@code MPTcpExt}...): all are event
 * counters or byte counts, so all are summed.
 */
final class NetstatAggregator extends CounterPairsAggregator {
    @Override
    Rule ruleOf(Counter counter) {
        return Rule.SUM;
    }
}
