package io.procsys.net;

import io.netty.channel.EventLoopGroup;
import io.procsys.metrics.Metrics;
import io.procsys.net.agent.Agent;
import io.procsys.net.client.AgentClient;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An agent counts its requests by kind, its failures, its TLS handshakes and the bytes it sends, and exports them. */
class AgentMetricsTest {
    @Test
    void countsWhatItServesAndRefuses() throws Exception {
        Path certs = Files.createTempDirectory("procsys-metrics-certs-");
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Certificates ca = Certificates.newAuthority("procsys test CA", now, Duration.ofDays(1));
        Path caPem = ca.writeAuthority(certs);
        Tls.Credentials agentFiles = ca.issue("agent", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(1)).write(certs, caPem);
        Tls.Credentials clientFiles = ca.issue("client", List.of("localhost"), now, Duration.ofDays(1)).write(certs, caPem);
        Path other = Files.createDirectories(certs.resolve("other"));
        Certificates stranger = Certificates.newAuthority("another CA", now, Duration.ofDays(1));
        Tls.Credentials strangerFiles = stranger.issue("stranger", List.of(), now, Duration.ofDays(1)).write(other, stranger.writeAuthority(other));
        EventLoopGroup loops = Transport.eventLoops(1);
        Metrics metrics = Metrics.create();
        try (Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "agent-1", new ExportedTree(ProcTree.open(Path.of("/proc"))),
                Tls.server(agentFiles))) {
            agent.stats().exportTo(metrics);
            try (AgentClient client = AgentClient.connect(loops, agent.address(), Tls.client(clientFiles), "c", Duration.ofSeconds(5)).join()) {
                client.stat("meminfo", 5_000).join();
                client.list("", 5_000).join();
                client.read("meminfo", 5_000).join().release();
                client.read("loadavg", 5_000).join().release();
                client.readlink("self", 5_000).join();
                client.table("", false, 10_000).join().release();
                assertThrows(CompletionException.class, () -> client.read("no-such-file", 5_000).join());
            }
            assertThrows(CompletionException.class,
                    () -> AgentClient.connect(loops, agent.address(), Tls.client(strangerFiles), "s", Duration.ofSeconds(5)).join());
            var stats = agent.stats();
            long deadline = System.currentTimeMillis() + 5_000;
            while (stats.tlsHandshakes(false) < 1 && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertEquals(1, stats.requests("stat"));
            assertEquals(1, stats.requests("list"));
            assertEquals(3, stats.requests("read"));
            assertEquals(1, stats.requests("readlink"));
            assertEquals(1, stats.requests("table"));
            assertEquals(1, stats.failures("read"), "ENOENT answered");
            assertEquals(0, stats.failures("stat"));
            assertEquals(1, stats.tlsHandshakes(true));
            assertEquals(1, stats.tlsHandshakes(false), "the stranger's certificate");
            assertTrue(stats.sentBytes() > 1000, "meminfo and a table went out: " + stats.sentBytes());

            CounterSnapshot requests = (CounterSnapshot) metrics.scrape().stream()
                    .filter(s -> s.getMetadata().getPrometheusName().equals("procsys_agent_requests")).findFirst().orElseThrow();
            assertEquals(3, requests.getDataPoints().stream().filter(d -> d.getLabels().get("kind").equals("read")).findFirst().orElseThrow().getValue());
            List<String> names = metrics.scrape().stream().map(s -> s.getMetadata().getPrometheusName()).toList();
            assertTrue(names.containsAll(List.of("procsys_agent_request_failures", "procsys_agent_tls_handshakes",
                    "procsys_agent_sent_bytes", "procsys_agent_connections", "procsys_agent_refused_connections")), names.toString());
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
