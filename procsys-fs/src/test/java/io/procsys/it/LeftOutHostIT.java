package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host left out of a listing is never silent (issue 20): an agent process (TLS, a captured tree)
 * reached through a {@link DelayingProxy}, a mount daemon started by the launcher. While the proxy
 * holds replies past the deadline, listing the mount's root leaves the host's processes out; then
 * `procsys status` names the host with its table error and its time, the daemon's metrics count
 * it, and its log says it once (not once per listing).
 */
class LeftOutHostIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static LauncherAgent agent;
    static DelayingProxy proxy;
    static Path mount, certs, log;
    static String metricsUrl;

    @BeforeAll
    static void start() throws Exception {
        agent = LauncherAgent.start("late", "here", FIXTURE);
        certs = agent.certs();
        int agentPort = agent.port();
        proxy = new DelayingProxy(new InetSocketAddress("127.0.0.1", agentPort));
        mount = Files.createTempDirectory("procsys-leftout-");
        log = Files.createTempFile("procsys-leftout-", ".log");
        Commands.Result r = Commands.procsys("mount", "--name", "here", "--peer", "late=127.0.0.1:" + proxy.address().getPort(),
                "--certs-dir", certs.toString(), "--deadline-ms", "300", "--metrics-listen", "127.0.0.1:0",
                "--log", log.toString(), mount.toString());
        assertEquals(0, r.exit(), r.all());
        Matcher m = MetricsIT.METRICS_URL.matcher(r.err());
        assertTrue(m.find(), r.err());
        metricsUrl = m.group(1);
        ClusterMountIT.waitFor(() -> Files.isDirectory(mount.resolve("hosts/late/net")), 15_000, "peer late up");
    }

    @AfterAll
    static void stop() throws Exception {
        if (mount != null) {
            Commands.procsys("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
        if (proxy != null) proxy.close();
        if (agent != null) agent.close();
        if (log != null) Files.deleteIfExists(log);
    }

    /** The pid directories at the mount's root that are not this host's (cluster pids of remote hosts). */
    static long remotePids() throws Exception {
        try (var entries = Files.list(mount)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+"))
                    .filter(n -> Long.parseLong(n) >= (1L << 22)).count();
        }
    }

    @Test
    void aLateTableShowsInStatusMetricsAndLogOnce() throws Exception {
        assertTrue(remotePids() > 0, "the host's processes are listed while it answers in time");
        String before = Commands.procsys("status", mount.toString()).out();
        assertFalse(before.contains("process table error"), before);
        double counted = MetricsIT.value(MetricsIT.scrape(metricsUrl), "procsys_peer_process_table_errors_total", "peer", "late");
        assertEquals(0, counted);

        proxy.delayMillis = 1_000;
        Thread.sleep(2_500); // past the table window: the next listing asks for a new table
        for (int i = 0; i < 3; i++) assertEquals(0, remotePids(), "the late host is left out");

        Commands.Result status = Commands.procsys("status", mount.toString());
        assertEquals(0, status.exit(), status.all());
        assertTrue(status.out().matches("(?s).*late: [0-9]+ process table error\\(s\\), the last at 20[0-9-]+T[0-9:]+Z: left out of a listing: .*did not answer in time.*"),
                status.out());
        String json = Commands.procsys("status", "--json", mount.toString()).out();
        assertTrue(json.contains("\"lastTableErrorAt\""), json);
        assertTrue(MetricsIT.value(MetricsIT.scrape(metricsUrl), "procsys_peer_process_table_errors_total", "peer", "late") >= 3,
                "every listing that left it out is counted");
        String logged = Files.readString(log);
        assertEquals(1, logged.lines().filter(l -> l.contains("host late: left out of a listing")).count(),
                "said once a minute per host, not once per listing:\n" + logged);

        proxy.delayMillis = 0;
        ClusterMountIT.waitFor(() -> {
            try {
                return remotePids() > 0;
            } catch (Exception e) {
                return false;
            }
        }, 20_000, "listed again once in time");
    }
}
