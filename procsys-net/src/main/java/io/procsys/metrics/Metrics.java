package io.procsys.metrics;

import io.procsys.fuse.Operation;
import io.procsys.fuse.OperationTimer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * What procsys tells operators, in Prometheus's terms: the one place that knows the Prometheus
 * Java client. The layers count in their own {@code LongAdder}s and register callbacks here that
 * read them when {@code /metrics} is scraped; FUSE operation latencies too (adders per operation
 * and bucket, made once, see {@link #fuseOperations}).
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
     * Null for {@link #OFF}. Counters per operation made here once, indexed by the operation's
     * ordinal; recording is a few {@code LongAdder} adds (no lock, no allocation).
     */
    public synchronized OperationTimer fuseOperations() {
        if (!enabled()) return null;
        if (operations == null) operations = new FuseOperations(registry);
        return operations;
    }

    /**
     * Records FUSE replies: per operation, one {@code LongAdder} per bucket, a {@code DoubleAdder}
     * of the seconds and a {@code LongAdder} of errors. The client's own Histogram allocates on
     * each observation (a capturing lambda, 24 B: measured with DispatchBenchmark -prof gc); this
     * one does not, and the client still writes the exposition from the snapshot given at scrape.
     */
    private static final class FuseOperations implements OperationTimer {
        private static final int OPS = Operation.values().length;
        /** Upper bounds in nanoseconds, for the search on the hot path; the last bucket is +Inf. */
        private static final long[] BOUNDS_NANOS = new long[OPERATION_BUCKETS.length];
        static {
            for (int i = 0; i < OPERATION_BUCKETS.length; i++) BOUNDS_NANOS[i] = Math.round(OPERATION_BUCKETS[i] * 1e9);
        }

        private final LongAdder[][] buckets = new LongAdder[OPS][OPERATION_BUCKETS.length + 1];
        private final DoubleAdder[] seconds = new DoubleAdder[OPS];
        private final LongAdder[] errors = new LongAdder[OPS];

        FuseOperations(PrometheusRegistry registry) {
            for (int op = 0; op < OPS; op++) {
                for (int b = 0; b <= OPERATION_BUCKETS.length; b++) buckets[op][b] = new LongAdder();
                seconds[op] = new DoubleAdder();
                errors[op] = new LongAdder();
            }
            double[] bounds = java.util.Arrays.copyOf(OPERATION_BUCKETS, OPERATION_BUCKETS.length + 1);
            bounds[OPERATION_BUCKETS.length] = Double.POSITIVE_INFINITY;
            registry.register(() -> {
                HistogramSnapshot.Builder h = HistogramSnapshot.builder().name("procsys_fuse_operation_duration_seconds")
                        .help("Time from a FUSE request's arrival to its reply, by operation (_count: requests answered).");
                for (Operation op : Operation.values()) {
                    long[] counts = new long[bounds.length];
                    for (int b = 0; b < counts.length; b++) counts[b] = buckets[op.ordinal()][b].sum();
                    h.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                            .sum(seconds[op.ordinal()].sum()).labels(Labels.of("op", op.label())).build());
                }
                return h.build();
            });
            CounterWithCallback.builder().name("procsys_fuse_operation_errors_total")
                    .help("FUSE requests answered with an error (ENOENT, EHOSTUNREACH, ...), by operation.")
                    .labelNames("op").callback(cb -> {
                        for (Operation op : Operation.values()) cb.call(errors[op.ordinal()].sum(), op.label());
                    }).register(registry);
        }

        @Override
        public void replied(Operation operation, long nanos, boolean failed) {
            int op = operation.ordinal();
            int b = 0;
            while (b < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[b]) b++;
            buckets[op][b].increment();
            seconds[op].add(nanos * 1e-9);
            if (failed) errors[op].increment();
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
