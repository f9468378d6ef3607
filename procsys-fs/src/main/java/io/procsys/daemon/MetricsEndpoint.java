package io.procsys.daemon;

import io.procsys.metrics.Metrics;
import io.procsys.net.ReloadingTls;

import java.io.IOException;
import java.net.InetSocketAddress;

/** {@code --metrics-listen}: a registry served at {@code http://HOST:PORT/metrics}, or {@link Metrics#OFF} without the option. */
public final class MetricsEndpoint {
    private MetricsEndpoint() {}

    /**
     * Starts serving on {@code address} ({@code listen} as the user wrote it, for messages), or
     * returns {@link Metrics#OFF} when {@code address} is null. A port in use, an address this
     * host does not have: a one-line UserError.
     */
    public static Metrics start(InetSocketAddress address, String listen) {
        if (address == null) return Metrics.OFF;
        if (address.isUnresolved()) throw new UserError("--metrics-listen " + listen + ": unknown host " + address.getHostString(), 2);
        Metrics metrics = Metrics.create();
        try {
            metrics.serve(address);
        } catch (IOException | RuntimeException e) {
            metrics.close();
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new UserError("cannot serve metrics on " + listen + ": " + reason);
        }
        return metrics;
    }

    /**
     * {@code procsys_tls_certificate_expiry_seconds}: the seconds left on this node's own
     * certificate as its files stand now (they are re-read as they change); nothing without TLS.
     */
    public static void exportExpiry(Metrics metrics, ReloadingTls credentials) {
        if (credentials == null) return;
        metrics.gauge("procsys_tls_certificate_expiry_seconds",
                "Seconds until this node's own TLS certificate ends (negative once it has); its files are re-read as they change.",
                credentials::secondsUntilExpiry);
    }

    /** Where the metrics are, for the line a command prints when it is ready ("" when off). */
    public static String describe(Metrics metrics) {
        InetSocketAddress at = metrics.address();
        return at == null ? "" : "; metrics on http://" + (at.getAddress() instanceof java.net.Inet6Address
                ? "[" + at.getAddress().getHostAddress() + "]" : at.getAddress().getHostAddress()) + ":" + at.getPort() + "/metrics";
    }
}
