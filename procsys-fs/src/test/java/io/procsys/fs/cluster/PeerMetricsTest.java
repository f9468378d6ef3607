package io.procsys.fs.cluster;

import io.procsys.metrics.Metrics;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer counts its failures by kind; the cluster exports its peers (up, requests, errors) to metrics. */
class PeerMetricsTest {
    @Test
    void failuresAreSortedByKind() {
        assertEquals(PeerErrors.Kind.TIMEOUT, PeerErrors.kindOf(new TimeoutException()));
        assertEquals(PeerErrors.Kind.DISCONNECTED, PeerErrors.kindOf(new ErrnoException(Errno.ENOTCONN, "connection lost")));
        assertEquals(PeerErrors.Kind.DOWN, PeerErrors.kindOf(new ErrnoException(Errno.EHOSTUNREACH, "host below is down")));
        assertEquals(PeerErrors.Kind.REMOTE_ERRNO, PeerErrors.kindOf(new ErrnoException(Errno.ENOENT, "agent a")));
        assertEquals(PeerErrors.Kind.PROTOCOL, PeerErrors.kindOf(new ClassCastException("a Listing for a Stat")));
    }

    /** A port nothing listens on (bound, then closed). */
    static InetSocketAddress deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

    static DataPointSnapshot point(Metrics m, String name, String... labels) {
        MetricSnapshot s = m.scrape().stream().filter(x -> x.getMetadata().getPrometheusName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not registered"));
        return s.getDataPoints().stream().filter(d -> {
            for (int i = 0; i < labels.length; i += 2) if (!labels[i + 1].equals(d.getLabels().get(labels[i]))) return false;
            return true;
        }).findFirst().orElseThrow(() -> new AssertionError(name + " has no point " + List.of(labels)));
    }

    @Test
    void aPeerThatIsDownCountsRefusedConnectionsAndRequestsAnsweredAtOnce() throws Exception {
        try (Cluster cluster = new Cluster("here", List.of(new Cluster.PeerAddress("gone", deadPort())), null, Duration.ofMillis(200))) {
            Metrics m = Metrics.create();
            cluster.exportTo(m);
            Peer gone = cluster.peers().getFirst();
            long deadline = System.currentTimeMillis() + 5_000;
            while (gone.errors(PeerErrors.Kind.REFUSED) < 1 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertTrue(gone.errors(PeerErrors.Kind.REFUSED) >= 1, "the connection attempt was refused");
            ErrnoException down = (ErrnoException) assertThrows(CompletionException.class, () -> gone.stat("meminfo").join()).getCause();
            assertEquals(Errno.EHOSTUNREACH, down.errno());
            assertThrows(CompletionException.class, () -> gone.read("meminfo").join());
            assertEquals(2, gone.errors(PeerErrors.Kind.DOWN));
            assertEquals(0, gone.errors(PeerErrors.Kind.TIMEOUT));

            assertEquals(0, ((GaugeSnapshot.GaugeDataPointSnapshot) point(m, "procsys_peer_up", "peer", "gone")).getValue());
            assertEquals(2, ((CounterSnapshot.CounterDataPointSnapshot) point(m, "procsys_peer_requests", "peer", "gone")).getValue());
            assertEquals(2, ((CounterSnapshot.CounterDataPointSnapshot) point(m, "procsys_peer_errors", "peer", "gone", "kind", "down")).getValue());
            assertTrue(((CounterSnapshot.CounterDataPointSnapshot) point(m, "procsys_peer_errors", "peer", "gone", "kind", "refused")).getValue() >= 1);
            assertEquals(0, ((CounterSnapshot.CounterDataPointSnapshot) point(m, "procsys_peer_process_table_fetches", "peer", "gone")).getValue());
            assertEquals(0, ((CounterSnapshot.CounterDataPointSnapshot) point(m, "procsys_combined_file_cache_misses")).getValue(),
                    "no filesystem yet: nothing read");
        }
    }
}
