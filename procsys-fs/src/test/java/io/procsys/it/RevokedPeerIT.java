package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Certificates;
import io.procsys.net.ReloadingTls;
import io.procsys.net.Tls;
import io.procsys.net.agent.Agent;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compromised agent that stays connected across the revocation of its certificate (issue 36):
 * the mount's CA file gets a revocation list naming it; once the mount reads its TLS files again
 * (every few seconds), the connection is closed, and every reconnect is refused by the handshake.
 * Before, the connection went on answering for as long as it stayed open. An honest agent beside
 * it keeps its connection and its deadline.
 */
class RevokedPeerIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();

    @Test
    void aRevokedAgentIsDisconnectedAndStaysOut() throws Exception {
        Path dir = Files.createTempDirectory("procsys-revoked-");
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Certificates ca = Certificates.newAuthority("revocation test CA", now, Duration.ofDays(30));
        Path caFile = ca.writeAuthority(dir);
        Tls.Credentials here = ca.issue("here", List.of("localhost"), now, Duration.ofDays(30)).write(dir, caFile);
        Certificates.Issued evilCert = ca.issue("evil", List.of("localhost"), now, Duration.ofDays(30));
        Tls.Credentials evil = evilCert.write(dir, caFile);
        Tls.Credentials honest = ca.issue("honest", List.of("localhost"), now, Duration.ofDays(30)).write(dir, caFile);
        // the mount trusts its own copy of the CA file, the one that gets the list
        Path mountCa = dir.resolve("mount-ca.pem");
        Files.copy(caFile, mountCa);
        try (ReloadingTls mountTls = ReloadingTls.load(new Tls.Credentials(here.certificate(), here.key(), mountCa)).start(Duration.ofMillis(200));
             HostilePeer compromised = new HostilePeer("evil", FIXTURE, Tls.server(evil));
             Agent good = Agent.start(new InetSocketAddress("127.0.0.1", 0), "honest", new ExportedTree(ProcTree.open(FIXTURE)), Tls.server(honest))) {
            Cluster cluster = new Cluster("here", List.of(new Cluster.PeerAddress("evil", compromised.address()),
                    new Cluster.PeerAddress("honest", good.address())), mountTls.client(), Duration.ofMillis(400));
            try (TestMount mount = new TestMount(Path.of("/proc"), cluster)) {
                for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 15_000, p.name() + " up");
                assertTrue(Files.readString(mount.path.resolve("hosts/evil/meminfo")).startsWith("MemTotal:"), "connected and answering");

                BigInteger serial = evilCert.certificate().getSerialNumber();
                Files.writeString(mountCa, ca.revocationList(List.of(serial), now, Duration.ofDays(7)), StandardOpenOption.APPEND);
                ClusterMountIT.waitFor(() -> compromised.openConnections() == 0, 10_000, "the revoked agent's connection closed");
                Peer evilPeer = cluster.peers().getFirst();
                ClusterMountIT.waitFor(() -> evilPeer.status().state() == Peer.State.DOWN, 10_000, "evil down");
                assertTrue(evilPeer.status().lastError().contains("revoked") || evilPeer.status().lastError().contains("certificate"),
                        evilPeer.status().toString());
                int connectionsSoFar = compromised.connections.get();
                Thread.sleep(3_000); // reconnects keep being tried, and refused
                assertEquals(Peer.State.DOWN, evilPeer.status().state(), "the handshake refuses it: " + evilPeer.status());
                assertTrue(compromised.openConnections() == 0, "no connection of it is open");
                assertTrue(compromised.connections.get() > connectionsSoFar, "it was tried again, and refused");

                Peer honestPeer = cluster.peers().get(1);
                assertEquals(Peer.State.UP, honestPeer.status().state(), "the honest agent keeps its connection");
                long t0 = System.nanoTime();
                assertTrue(Files.readString(mount.path.resolve("hosts/honest/meminfo")).startsWith("MemTotal:"));
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 800, "and its deadline");
            }
        }
    }
}
