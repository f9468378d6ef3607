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

    /** A view of the past reads no live /proc and has no peers: its first line says so, not "serving /proc, 0 peer(s)". */
    @Test
    void aViewOfThePastSaysWhatItServes() {
        assertEquals("mount /tmp/then serving the past (recorded frames, no live /proc)\n",
                StatusReport.render(new StatusEndpoint.Status("/tmp/then", "the past (recorded frames, no live /proc)", List.of(), null, null)));
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
                """, StatusReport.render(new StatusEndpoint.Status("/m", "/proc", List.of(), null, null, null, List.of(), List.of(), scope)));
    }

    @Test
    void eachHostsBootAndTheSkewOfItsClock() {
        var clock = new io.procsys.fs.clock.ClockStatus(Instant.parse("2024-04-29T08:00:00.700Z"), 1714377600, List.of(
                new io.procsys.fs.clock.ClockStatus.Host("hub", Instant.parse("2024-05-01T09:00:00.300Z"), 1714554000, -0.3, 0,
                        Instant.parse("2024-05-01T10:06:07.500Z")),
                new io.procsys.fs.clock.ClockStatus.Host("g2", Instant.parse("2024-04-29T08:00:00.700Z"), 1714388400, 10799.3, 12,
                        Instant.parse("2024-05-01T10:06:07.520Z")),
                new io.procsys.fs.clock.ClockStatus.Host("old", Instant.parse("2014-12-10T03:47:56Z"), 1418183276, null, -1,
                        Instant.parse("2024-05-01T10:06:07.530Z"))));
        assertEquals("""
                mount /m serving /proc, 0 peer(s)
                view btime 1714377600 (2024-04-29T08:00:00Z): the earliest boot of its hosts, measured here
                HOST             BOOTED (HERE)           SKEW(s)   +-(ms)  MEASURED
                hub              2024-05-01T09:00:00Z       -0.3        0  2024-05-01T10:06:07Z
                g2               2024-04-29T08:00:00Z   +10799.3       12  2024-05-01T10:06:07Z
                old              2014-12-10T03:47:56Z          -    btime  2024-05-01T10:06:07Z
                """, StatusReport.render(new StatusEndpoint.Status("/m", "/proc", List.of(), null, null, clock, List.of(), List.of())));
        assertEquals("mount /m serving /proc, 0 peer(s)\n", StatusReport.render(new StatusEndpoint.Status("/m", "/proc", List.of(), null, null,
                new io.procsys.fs.clock.ClockStatus(null, 0, List.of()), List.of(), List.of())), "nothing measured yet: nothing said");
    }

    /** A host served from an earlier answer shows STALE with its age, in its row and on a line of its own; one past the bound LEFT OUT; a quota names its offender. */
    @Test
    void staleHostsAndQuotasAreNamed() {
        var a = new Peer.Status("a", "10.0.0.2:7070", Peer.State.UP, 120, "", null, 10, 2, 0, "", null);
        var b = new Peer.Status("b", "10.0.0.3:7070", Peer.State.DOWN, -1, "connection closed: 8 requests in a row unanswered", null, 0, 0, 0, "", null);
        var status = new StatusEndpoint.Status("/m", "/proc", List.of(a, b), null, null, null,
                List.of(new io.procsys.fs.cluster.Staleness.Host("a", "STALE", 1234, "meminfo"),
                        new io.procsys.fs.cluster.Staleness.Host("b", "LEFT OUT", 12_000, "processes"),
                        new io.procsys.fs.cluster.Staleness.Host("rack/leaf", "LEFT OUT", -1, "tables")),
                List.of(new io.procsys.fs.cluster.Offenders.Quota("b", "pid map share of one host", 65536, 0)));
        assertEquals("""
                mount /m serving /proc, 2 peer(s)
                PEER             ADDRESS                STATE        RTT(us)  LAST SEEN            LAST ERROR
                a                10.0.0.2:7070          STALE 1.2s       120  never\s\s\s\s\s\s\s\s\s\s\s\s\s\s\s\s
                b                10.0.0.3:7070          LEFT OUT           -  never                connection closed: 8 requests in a row unanswered
                STALE a: served from its answer of 1.2s ago (meminfo)
                LEFT OUT b: its last answer is 12s old (processes)
                LEFT OUT rack/leaf: no earlier answer (tables)
                QUOTA b: held to its pid map share of one host: 65536 evicted
                """, StatusReport.render(status));
    }
}
