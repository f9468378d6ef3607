package io.procsys.metrics;

import io.procsys.fuse.Operation;
import io.procsys.fuse.OperationTimer;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade: off records nothing; on, FUSE replies land in one histogram child per operation; /metrics is served. */
class MetricsTest {
    static MetricSnapshot named(Metrics m, String name) {
        return m.scrape().stream().filter(s -> s.getMetadata().getPrometheusName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not registered"));
    }

    @Test
    void offRegistersNothingAndTimesNothing() {
        assertNull(Metrics.OFF.fuseOperations(), "no timer: the session reads no clock");
        Metrics.OFF.gauge("procsys_test_seconds", "test", () -> 1);
        Metrics.OFF.counters("procsys_test_total", "test", List.of("kind"), s -> s.sample(1, "a"));
        assertEquals(0, Metrics.OFF.scrape().size());
        assertThrows(IllegalStateException.class, () -> Metrics.OFF.serve(new InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void fuseRepliesAreCountedAndTimedPerOperation() {
        Metrics m = Metrics.create();
        OperationTimer timer = m.fuseOperations();
        timer.replied(Operation.READ, 20_000, false);
        timer.replied(Operation.READ, 3_000_000, false);
        timer.replied(Operation.LOOKUP, 5_000, true);
        HistogramSnapshot h = (HistogramSnapshot) named(m, "procsys_fuse_operation_duration_seconds");
        var read = h.getDataPoints().stream().filter(d -> d.getLabels().get("op").equals("read")).findFirst().orElseThrow();
        assertEquals(2, read.getCount());
        assertEquals(0.00302, read.getSum(), 1e-9);
        assertEquals(Operation.values().length, h.getDataPoints().size(), "a child per operation, made up front");
        CounterSnapshot errors = (CounterSnapshot) named(m, "procsys_fuse_operation_errors");
        var lookup = errors.getDataPoints().stream().filter(d -> d.getLabels().get("op").equals("lookup")).findFirst().orElseThrow();
        assertEquals(1, lookup.getValue());
        assertTrue(m.fuseOperations() == timer, "one timer per registry");
    }

    @Test
    void aGaugeAddedLaterIsReadAtEachScrape() {
        Metrics m = Metrics.create();
        double[] left = {3600};
        m.gauge("procsys_tls_certificate_expiry_seconds", "Seconds until this node's own TLS certificate expires.", () -> left[0]);
        assertEquals(3600, ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) named(m, "procsys_tls_certificate_expiry_seconds"))
                .getDataPoints().getFirst().getValue());
        left[0] = 60;
        assertEquals(60, ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) named(m, "procsys_tls_certificate_expiry_seconds"))
                .getDataPoints().getFirst().getValue());
    }

    @Test
    void servesTheTextFormatAndReportsAPortInUse() throws Exception {
        try (Metrics m = Metrics.create()) {
            m.counters("procsys_test_things_total", "Things, by kind.", List.of("kind"), s -> {
                s.sample(2, "a");
                s.sample(5, "b");
            });
            InetSocketAddress at = m.serve(new InetSocketAddress("127.0.0.1", 0));
            assertNotNull(m.address());
            assertTrue(at.getPort() > 0);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("# TYPE procsys_test_things_total counter"), r.body());
            assertTrue(r.body().contains("procsys_test_things_total{kind=\"b\"} 5.0"), r.body());
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); Metrics m = Metrics.create()) {
            assertThrows(IOException.class, () -> m.serve(new InetSocketAddress("127.0.0.1", taken.getLocalPort())));
            assertNull(m.address());
        }
    }
}
