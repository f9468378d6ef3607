package io.procsys.metrics;

import io.procsys.fuse.Operation;
import io.procsys.fuse.OperationTimer;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * What procsys tells operators, in Prometheus's terms: the one place that knows the Prometheus
 * Java client. The layers count in their own {@code LongAdder}s and register callbacks here that
 * read them when {@code /metrics} is scraped; only FUSE operation latencies are recorded as they
 * happen (a histogram child per operation, looked up once, see {@link #fuseOperations}).
 *
 * <p>{@link #OFF} (no {@code --metrics-listen}) registers nothing and serves nothing: its
 * {@link #fuseOperations} is null, so a session does not even read the clock.
 *
 * <p>Adding a metric elsewhere is one call, e.g. a gauge read at each scrape:
 * <pre>
 * metrics.gauge("procsys_tls_certificate_expiry_seconds",
 *         "Seconds until this node's own TLS certificate expires.", () -&gt; secondsLeft());
 * </pre>
 * Names follow Prometheus's conventions: {@code procsys_} first, the unit in the name
 * ({@code _seconds}, {@code _bytes}), counters ending in {@code _total}.
 */
public final class Metrics implements AutoCloseable {
    /** Records and serves nothing. */
    public static final Metrics OFF = new Metrics(null);

    /** Latency buckets for FUSE operations, in seconds: 10 µs (a cached getattr) to 2.5 s (past any deadline). */
    static final double[] OPERATION_BUCKETS = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry;
    private OperationTimer operations;
    private HTTPServer server;
    private ExecutorService serverThread;
    private InetSocketAddress address;

    private Metrics(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /** A registry of its own, not served yet ({@link #serve}). */
    public static Metrics create() {
        return new Metrics(new PrometheusRegistry());
    }

    public boolean enabled() {
        return registry != null;
    }

    /** One sample of a labelled family: the value, then one label value per label name, in order. */
    @FunctionalInterface
    public interface Samples {
        void sample(double value, String... labelValues);
    }

    /** A gauge without labels, read at each scrape (e.g. seconds until a certificate expires). */
    public void gauge(String name, String help, DoubleSupplier value) {
        if (!enabled()) return;
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /**
     * A gauge family: at each scrape {@code samples} is given a sink and reports one value per
     * set of label values (e.g. one per peer, with {@code labelNames} ["peer"]).
     */
    public void gauges(String name, String help, List<String> labelNames, Consumer<Samples> samples) {
        if (!enabled()) return;
        GaugeWithCallback.builder().name(name).help(help).labelNames(labelNames.toArray(String[]::new))
                .callback(cb -> samples.accept(cb::call)).register(registry);
    }

    /** A counter without labels, read at each scrape from a count kept elsewhere; {@code name} ends in {@code _total}. */
    public void counter(String name, String help, DoubleSupplier value) {
        if (!enabled()) return;
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A counter family read at each scrape, as {@link #gauges}; {@code name} ends in {@code _total}. */
    public void counters(String name, String help, List<String> labelNames, Consumer<Samples> samples) {
        if (!enabled()) return;
        CounterWithCallback.builder().name(name).help(help).labelNames(labelNames.toArray(String[]::new))
                .callback(cb -> samples.accept(cb::call)).register(registry);
    }

    /**
     * The timer of FUSE requests: {@code procsys_fuse_operation_duration_seconds{op}} (a histogram,
     * its {@code _count} the number of requests) and {@code procsys_fuse_operation_errors_total{op}}.
     * Null for {@link #OFF}. One child per operation, looked up here once; recording takes the
     * histogram's striped counters (no lock, no allocation).
     */
    public synchronized OperationTimer fuseOperations() {
        if (!enabled()) return null;
        if (operations == null) operations = new FuseOperations(registry);
        return operations;
    }

    /** Records FUSE replies into one histogram child and one error counter per operation. */
    private static final class FuseOperations implements OperationTimer {
        private final DistributionDataPoint[] latency = new DistributionDataPoint[Operation.values().length];
        private final java.util.concurrent.atomic.LongAdder[] errors = new java.util.concurrent.atomic.LongAdder[Operation.values().length];

        FuseOperations(PrometheusRegistry registry) {
            Histogram histogram = Histogram.builder().name("procsys_fuse_operation_duration_seconds")
                    .help("Time from a FUSE request's arrival to its reply, by operation (_count: requests answered).")
                    .labelNames("op").classicOnly().classicUpperBounds(OPERATION_BUCKETS).withoutExemplars().register(registry);
            for (Operation op : Operation.values()) {
                latency[op.ordinal()] = histogram.labelValues(op.label());
                errors[op.ordinal()] = new java.util.concurrent.atomic.LongAdder();
            }
            CounterWithCallback.builder().name("procsys_fuse_operation_errors_total")
                    .help("FUSE requests answered with an error (ENOENT, EHOSTUNREACH, ...), by operation.")
                    .labelNames("op").callback(cb -> {
                        for (Operation op : Operation.values()) cb.call(errors[op.ordinal()].sum(), op.label());
                    }).register(registry);
        }

        @Override
        public void replied(Operation operation, long nanos, boolean failed) {
            latency[operation.ordinal()].observe(nanos * 1e-9);
            if (failed) errors[operation.ordinal()].increment();
        }
    }

    /**
     * Serves {@code /metrics} (Prometheus text exposition) on {@code address} on one thread of its
     * own; returns the address bound (port 0: a free one). Throws the OS's reason when it cannot bind.
     */
    public synchronized InetSocketAddress serve(InetSocketAddress address) throws IOException {
        if (!enabled()) throw new IllegalStateException("metrics are off");
        if (server != null) throw new IllegalStateException("already serving");
        ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("metrics-http").factory());
        try {
            HTTPServer.Builder b = HTTPServer.builder().port(address.getPort()).registry(registry).executorService(thread);
            b = address.getAddress() != null ? b.inetAddress(address.getAddress()) : b.hostname(address.getHostString());
            server = b.buildAndStart();
        } catch (IOException | RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        serverThread = thread;
        this.address = new InetSocketAddress(address.getAddress() != null ? address.getAddress() : java.net.InetAddress.getByName(address.getHostString()),
                server.getPort());
        return this.address;
    }

    /** Where {@code /metrics} is served, or null when it is not. */
    public synchronized InetSocketAddress address() {
        return address;
    }

    /** Everything registered, as a scrape would see it (tests). */
    public MetricSnapshots scrape() {
        return enabled() ? registry.scrape() : MetricSnapshots.of();
    }

    /** Stops serving; idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (serverThread != null) {
            serverThread.shutdownNow();
            serverThread = null;
        }
        address = null;
    }
}
