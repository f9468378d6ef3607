package io.procsys.fs.combine;

import java.util.Set;

/**
 * {@code /proc/net/snmp}: counters summed, gauges ({@code Tcp CurrEstab}: connections open now)
 * summed too since the cluster has that many. Settings are kept from the first host (noted when
 * hosts differ): {@code Ip Forwarding} and {@code DefaultTTL}, and {@code Tcp RtoAlgorithm,
 * RtoMin, RtoMax, MaxConn} (RFC 2012 constants; {@code MaxConn} is -1, "dynamic", everywhere).
 */
final class SnmpAggregator extends CounterPairsAggregator {
    private static final Set<Counter> SETTINGS = Set.of(
            new Counter("Ip", "Forwarding"), new Counter("Ip", "DefaultTTL"),
            new Counter("Tcp", "RtoAlgorithm"), new Counter("Tcp", "RtoMin"),
            new Counter("Tcp", "RtoMax"), new Counter("Tcp", "MaxConn"));

    @Override
    Rule ruleOf(Counter counter) {
        return SETTINGS.contains(counter) ? Rule.SAME : Rule.SUM;
    }
}
