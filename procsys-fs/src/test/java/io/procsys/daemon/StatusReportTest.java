package io.procsys.daemon;

import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.ReloadingTls;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The human status, byte for byte as `procsys status` printed it before the daemon made it. */
class StatusReportTest {
    @Test
    void everyPartOfAClusterMount() {
        var up = new Peer.Status("a", "10.0.0.2:7070", Peer.State.UP, 120, "", Instant.parse("2024-05-01T10:06:07.123456Z"),
                10, 2, 0, "", null);
        var down = new Peer.Status("b", "10.0.0.3:7070", Peer.State.DOWN, -1, "connection refused", null,
                0, 0, 3, "left out of a listing: host b did not answer in time (ETIMEDOUT)", Instant.parse("2024-05-01T10:06:00.500Z"));
        var dns = new DnsPeers.Status("agents.example", 7070, 30, 2, "no answer from 10.0.0.53",
                List.of("2024-05-01T10:00:00Z joined b", "2024-05-01T10:05:00Z left c"));
        var tls = new ReloadingTls.Status("/etc/procsys/certs/a.pem", "CN=a", "1f", Instant.parse("2024-05-10T12:00:00.250Z"), 777_600,
                "the TLS certificate /etc/procsys/certs/a.pem expires in 9 days", 2, null, "key does not match");
        String expected = """
                mount /mnt/cluster serving /proc, 2 peer(s)
                peers from DNS agents.example:7070 every 30 s: 2 address(es); last lookup: no answer from 10.0.0.53
                  2024-05-01T10:00:00Z joined b
                  2024-05-01T10:05:00Z left c
                TLS certificate /etc/procsys/certs/a.pem (serial 1f) valid until 2024-05-10T12:00:00Z, 2 reload(s); last change not used: key does not match
                WARNING: the TLS certificate /etc/procsys/certs/a.pem expires in 9 days
                PEER             ADDRESS                STATE        RTT(us)  LAST SEEN            LAST ERROR
                a                10.0.0.2:7070          UP               120  2024-05-01T10:06:07Z\s
                b                10.0.0.3:7070          DOWN               -  never                connection refused
                b: 3 process table error(s), the last at 2024-05-01T10:06:00Z: left out of a listing: host b did not answer in time (ETIMEDOUT)
                """;
        assertEquals(expected, StatusReport.render(new StatusEndpoint.Status("/mnt/cluster", "/proc", List.of(up, down), dns, tls)));
    }

    @Test
    void aMirrorIsOneLine() {
        assertEquals("mount /tmp/x serving /proc, 0 peer(s)\n",
                StatusReport.render(new StatusEndpoint.Status("/tmp/x", "/proc", List.of(), null, null)));
    }

    @Test
    void quietPartsAddNothing() {
        var dns = new DnsPeers.Status("agents.example", 7070, 30, 0, "", List.of());
        var tls = new ReloadingTls.Status("/c.pem", "CN=a", "01", Instant.parse("2030-01-01T00:00:00Z"), 1, null, 0, null, "");
        assertEquals("""
                mount /m serving /proc, 0 peer(s)
                peers from DNS agents.example:7070 every 30 s: 0 address(es)
                TLS certificate /c.pem (serial 01) valid until 2030-01-01T00:00:00Z, 0 reload(s)
                """, StatusReport.render(new StatusEndpoint.Status("/m", "/proc", List.of(), dns, tls)));
    }

    /** A view of one scope names every host with its state there (docs/scope.md). */
    @Test
    void aScopeNamesEachHost() {
        List<String> scope = List.of("scope web.service:", "  here             present hybrid 0::/procsys-it/web, 3 processes",
                "  g2               absent: web.service has no cgroup on this host (not running, or no systemd)");
        assertEquals("""
                mount /m serving /proc, 0 peer(s)
                scope web.service:
                  here             present hybrid 0::/procsys-it/web, 3 processes
                  g2               absent: web.service has no cgroup on this host (not running, or no systemd)
                """, StatusReport.render(new StatusEndpoint.Status("/m", "/proc", List.of(), null, null, scope)));
    }
}
