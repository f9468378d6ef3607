package io.procsys.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.procsys.net.agent.Agent;
import io.procsys.net.client.AgentClient;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TLS files re-read when they change: what is picked up, what is refused, expiry, and the handshakes that follow. */
class ReloadingTlsTest {
    static final Instant NOW = Instant.now().minus(Duration.ofMinutes(5));
    static Certificates ca;
    static EventLoopGroup loops;
    static final Logger TLS_LOG = Logger.getLogger("io.procsys.net.tls");
    final List<LogRecord> logged = new ArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    Path dir;

    @BeforeAll
    static void authority() throws Exception {
        ca = Certificates.newAuthority("reload test CA", NOW, Duration.ofDays(400));
        loops = Transport.eventLoops(1);
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void files() throws IOException {
        dir = Files.createTempDirectory("procsys-reload-");
        TLS_LOG.addHandler(capture);
    }

    @AfterEach
    void removeCapture() {
        TLS_LOG.removeHandler(capture);
    }

    List<String> warnings() {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).map(LogRecord::getMessage).toList();
        }
    }

    /** Writes a new certificate and key for {@code node} into {@code into} (cert.pem, key.pem; ca.pem once); returns its serial. */
    static BigInteger issueInto(Path into, String node, Duration validity) throws Exception {
        Certificates.Issued issued = ca.issue(node, List.of("localhost"), NOW, validity);
        Files.createDirectories(into);
        if (!Files.exists(into.resolve("ca.pem"))) Files.move(ca.writeAuthority(into.resolve("ca-out")), into.resolve("ca.pem"));
        Tls.Credentials written = issued.write(Files.createDirectories(into.resolve("ca-out")), into.resolve("ca.pem"));
        // cp over: the same inode, rewritten
        Files.write(into.resolve("cert.pem"), Files.readAllBytes(written.certificate()));
        Files.write(into.resolve("key.pem"), Files.readAllBytes(written.key()));
        return issued.certificate().getSerialNumber();
    }

    static Tls.Credentials credentials(Path in) {
        return new Tls.Credentials(in.resolve("cert.pem"), in.resolve("key.pem"), in.resolve("ca.pem"));
    }

    @Test
    void changedFilesArePickedUpAndUnchangedOnesDoNothing() throws Exception {
        BigInteger first = issueInto(dir, "a", Duration.ofDays(100));
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir))) {
            assertEquals(first, tls.certificate().getSerialNumber());
            assertFalse(tls.check(), "nothing changed");
            BigInteger second = issueInto(dir, "a", Duration.ofDays(100));
            assertTrue(tls.check());
            assertEquals(second, tls.certificate().getSerialNumber());
            assertEquals(1, tls.reloads());
            assertFalse(tls.check());
            // mv over: a new inode under the same name
            Path staging = Files.createDirectories(dir.resolve("staging"));
            BigInteger third = issueInto(staging, "a", Duration.ofDays(100));
            Files.move(staging.resolve("cert.pem"), dir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging.resolve("key.pem"), dir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertTrue(tls.check());
            assertEquals(third, tls.certificate().getSerialNumber());
            assertEquals(2, tls.reloads());
            assertEquals("", tls.status().lastProblem());
            assertTrue(warnings().isEmpty(), warnings().toString());
        }
    }

    @Test
    void unparsableOrMismatchedFilesKeepTheCurrentCertificateAndAreLoggedOnce() throws Exception {
        BigInteger first = issueInto(dir, "a", Duration.ofDays(100));
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir))) {
            String good = Files.readString(dir.resolve("cert.pem"));
            Files.writeString(dir.resolve("cert.pem"), good.substring(0, good.length() / 2)); // caught half-written
            assertFalse(tls.check());
            assertFalse(tls.check());
            assertEquals(first, tls.certificate().getSerialNumber());
            assertEquals(1, warnings().size(), warnings().toString());
            assertTrue(warnings().getFirst().contains("keeping the current certificate"), warnings().getFirst());
            assertFalse(tls.status().lastProblem().isEmpty());
            assertNull(logged.getFirst().getThrown(), "no stack trace");

            // a certificate with the key of another: refused, logged once more
            Path other = dir.resolve("other");
            issueInto(other, "b", Duration.ofDays(100));
            Files.writeString(dir.resolve("cert.pem"), good);
            Files.write(dir.resolve("key.pem"), Files.readAllBytes(other.resolve("key.pem")));
            assertFalse(tls.check());
            assertFalse(tls.check());
            assertEquals(2, warnings().size(), warnings().toString());
            assertTrue(warnings().get(1).contains("is not the key of the certificate"), warnings().get(1));
            assertEquals(first, tls.certificate().getSerialNumber());

            // a missing file: the same
            Files.delete(dir.resolve("key.pem"));
            assertFalse(tls.check());
            assertFalse(tls.check());
            assertEquals(3, warnings().size(), warnings().toString());
            assertEquals(first, tls.certificate().getSerialNumber());

            // then a good pair is used
            BigInteger next = issueInto(dir, "a", Duration.ofDays(100));
            assertTrue(tls.check());
            assertEquals(next, tls.certificate().getSerialNumber());
            assertEquals("", tls.status().lastProblem());
        }
    }

    /** The kubelet's layout: NAME → ..data/NAME, ..data → ..TIMESTAMP; an update writes a new directory and renames a new ..data over. */
    @Test
    void theKubeletsDataSymlinkSwapIsSeen() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("secret"));
        BigInteger first = issueInto(mount.resolve("..2025_01_01_00_00_00.1"), "a", Duration.ofDays(100));
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..2025_01_01_00_00_00.1"));
        for (String name : List.of("cert.pem", "key.pem", "ca.pem")) Files.createSymbolicLink(mount.resolve(name), Path.of("..data", name));
        try (ReloadingTls tls = ReloadingTls.load(credentials(mount))) {
            assertEquals(first, tls.certificate().getSerialNumber());
            Path next = mount.resolve("..2025_02_01_00_00_00.2");
            Files.createDirectories(next);
            Files.copy(mount.resolve("..2025_01_01_00_00_00.1/ca.pem"), next.resolve("ca.pem"));
            BigInteger second = issueInto(next, "a", Duration.ofDays(100));
            Files.createSymbolicLink(mount.resolve("..data_tmp"), next.getFileName());
            Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(tls.check());
            assertEquals(second, tls.certificate().getSerialNumber());
        }
    }

    @Test
    void expiryIsCountedAndWarnedOfWithinFourteenDaysOnceADay() throws Exception {
        issueInto(dir, "a", Duration.ofDays(30));
        MutableClock clock = new MutableClock(NOW);
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir), clock)) {
            Instant end = tls.notAfter(); // certificates keep whole seconds
            assertEquals(NOW.plus(Duration.ofDays(30)).getEpochSecond(), end.getEpochSecond());
            assertEquals(Duration.ofDays(30).getSeconds(), tls.secondsUntilExpiry(), 1);
            assertNull(tls.expiryWarning());
            assertNull(tls.status().warning());
            clock.now = end.minus(Duration.ofDays(14)).minusSeconds(10);
            assertNull(tls.expiryWarning(), "14 days and 10 s left");
            tls.check();
            assertTrue(warnings().isEmpty());

            clock.now = end.minus(Duration.ofDays(10));
            assertEquals(Duration.ofDays(10).getSeconds(), tls.secondsUntilExpiry());
            assertTrue(tls.expiryWarning().contains("expires in 10 days"), tls.expiryWarning());
            assertEquals(tls.expiryWarning(), tls.status().warning());
            tls.check();
            tls.check();
            assertEquals(1, warnings().size(), "logged once: " + warnings());
            clock.now = clock.now.plus(Duration.ofHours(23));
            tls.check();
            assertEquals(1, warnings().size(), "not again within the day");
            clock.now = clock.now.plus(Duration.ofHours(1));
            tls.check();
            assertEquals(2, warnings().size(), "again a day later");

            clock.now = end.plusSeconds(60);
            assertTrue(tls.secondsUntilExpiry() < 0);
            assertTrue(tls.expiryWarning().contains("expired"), tls.expiryWarning());

            // a renewal is logged with its warning, if it is itself short
            issueInto(dir, "a", Duration.ofDays(40));
            assertTrue(tls.check());
            assertTrue(tls.secondsUntilExpiry() > 0);
            assertTrue(warnings().getLast().contains("expires in"), warnings().toString());
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void contextsAreFoundBackFromTheirOwner() throws Exception {
        issueInto(dir, "a", Duration.ofDays(100));
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir))) {
            assertSame(tls, ReloadingTls.of(tls.server()));
            assertSame(tls, ReloadingTls.of(tls.client()));
            assertNull(ReloadingTls.of(Tls.client(credentials(dir))));
            assertNull(ReloadingTls.of(null));
            assertTrue(tls.server().isServer());
            assertTrue(tls.client().isClient());
        }
    }

    /** Both ends of one handshake on loopback: what each saw of the other. */
    record Seen(X509Certificate serverPresented, X509Certificate clientPresented) {}

    static Seen handshake(SslContext server, SslContext client) throws Exception {
        CompletableFuture<X509Certificate> clientCert = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(loops).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler h = server.newHandler(ch.alloc());
                        ch.pipeline().addLast(h);
                        h.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) clientCert.complete((X509Certificate) h.engine().getSession().getPeerCertificates()[0]);
                            else clientCert.completeExceptionally(f.cause());
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try {
            InetSocketAddress at = (InetSocketAddress) listener.localAddress();
            CompletableFuture<SslHandler> handler = new CompletableFuture<>();
            Channel ch = new Bootstrap().group(loops).channel(Transport.channel()).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    SslHandler h = client.newHandler(ch.alloc(), "localhost", at.getPort());
                    ch.pipeline().addLast(h);
                    handler.complete(h);
                }
            }).connect(at).sync().channel();
            SslHandler h = handler.get(5, TimeUnit.SECONDS);
            h.handshakeFuture().get(5, TimeUnit.SECONDS);
            X509Certificate serverCert = (X509Certificate) h.engine().getSession().getPeerCertificates()[0];
            X509Certificate seenByServer = clientCert.get(5, TimeUnit.SECONDS);
            ch.close().sync();
            return new Seen(serverCert, seenByServer);
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void newHandshakesUseTheNewFilesAndOpenConnectionsKeepServing() throws Exception {
        Path agentDir = dir.resolve("agent"), clientDir = dir.resolve("client");
        BigInteger agentFirst = issueInto(agentDir, "agent", Duration.ofDays(100));
        Files.createDirectories(clientDir);
        Files.copy(agentDir.resolve("ca.pem"), clientDir.resolve("ca.pem"));
        BigInteger clientFirst = issueInto(clientDir, "client", Duration.ofDays(100));
        try (ReloadingTls agentTls = ReloadingTls.load(credentials(agentDir));
             ReloadingTls clientTls = ReloadingTls.load(credentials(clientDir));
             Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "agent-1", new ExportedTree(ProcTree.open(Path.of("/proc"))), agentTls.server());
             AgentClient open = AgentClient.connect(loops, agent.address(), clientTls.client(), "client", Duration.ofSeconds(5)).join()) {
            Seen before = handshake(agentTls.server(), clientTls.client());
            assertEquals(agentFirst, before.serverPresented().getSerialNumber());
            assertEquals(clientFirst, before.clientPresented().getSerialNumber());

            BigInteger agentSecond = issueInto(agentDir, "agent", Duration.ofDays(100));
            BigInteger clientSecond = issueInto(clientDir, "client", Duration.ofDays(100));
            assertTrue(agentTls.check());
            assertTrue(clientTls.check());
            Seen after = handshake(agentTls.server(), clientTls.client());
            assertEquals(agentSecond, after.serverPresented().getSerialNumber());
            assertEquals(clientSecond, after.clientPresented().getSerialNumber());

            // the connection opened before the change still answers, and new ones are welcome
            assertTrue(open.isActive());
            assertTrue(open.stat("uptime", 5_000).join().mode() != 0);
            try (AgentClient fresh = AgentClient.connect(loops, agent.address(), clientTls.client(), "client", Duration.ofSeconds(5)).join()) {
                assertTrue(fresh.stat("uptime", 5_000).join().mode() != 0);
            }
            assertNotNull(agentTls.status().lastReload());
        }
    }

    @Test
    void aWatchedFileIsReloadedByTheTimer() throws Exception {
        issueInto(dir, "a", Duration.ofDays(100));
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir)).start(Duration.ofMillis(50))) {
            BigInteger next = issueInto(dir, "a", Duration.ofDays(100));
            long end = System.currentTimeMillis() + 5_000;
            while (!tls.certificate().getSerialNumber().equals(next) && System.currentTimeMillis() < end) Thread.sleep(20);
            assertEquals(next, tls.certificate().getSerialNumber());
        }
    }

    /** A certificate that has expired is not taken from changed files: the current one stays (issue 36). */
    @Test
    void aReloadRefusesAnExpiredOwnCertificate() throws Exception {
        BigInteger first = issueInto(dir, "a", Duration.ofDays(100));
        try (ReloadingTls tls = ReloadingTls.load(credentials(dir))) {
            Certificates.Issued old = ca.issue("a", List.of("localhost"), NOW.minus(Duration.ofDays(10)), Duration.ofDays(1));
            Tls.Credentials written = old.write(Files.createDirectories(dir.resolve("old")), dir.resolve("ca.pem"));
            Files.write(dir.resolve("cert.pem"), Files.readAllBytes(written.certificate()));
            Files.write(dir.resolve("key.pem"), Files.readAllBytes(written.key()));
            assertFalse(tls.check(), "an expired certificate is not used");
            assertEquals(first, tls.certificate().getSerialNumber());
            assertTrue(tls.status().lastProblem().contains("expired"), tls.status().lastProblem());
        }
    }

    /**
     * A client whose certificate a revocation list in the agent's CA file names (issue 36): new
     * handshakes refuse it, and the connection it kept open is closed once the agent read the
     * changed file. A client whose certificate is not named keeps its connection.
     */
    @Test
    void aRevokedPeerIsRefusedAndItsOpenConnectionClosedOnceTheFilesAreReadAgain() throws Exception {
        Path agentDir = dir.resolve("agent"), clientDir = dir.resolve("client"), otherDir = dir.resolve("other");
        issueInto(agentDir, "agent", Duration.ofDays(100));
        for (Path d : List.of(clientDir, otherDir)) {
            Files.createDirectories(d);
            Files.copy(agentDir.resolve("ca.pem"), d.resolve("ca.pem"));
        }
        BigInteger revoked = issueInto(clientDir, "client", Duration.ofDays(100));
        issueInto(otherDir, "other", Duration.ofDays(100));
        try (ReloadingTls agentTls = ReloadingTls.load(credentials(agentDir));
             ReloadingTls clientTls = ReloadingTls.load(credentials(clientDir));
             ReloadingTls otherTls = ReloadingTls.load(credentials(otherDir));
             Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "agent-1", new ExportedTree(ProcTree.open(Path.of("/proc"))), agentTls.server());
             AgentClient open = AgentClient.connect(loops, agent.address(), clientTls.client(), "client", Duration.ofSeconds(5)).join();
             AgentClient kept = AgentClient.connect(loops, agent.address(), otherTls.client(), "other", Duration.ofSeconds(5)).join()) {
            assertTrue(open.stat("uptime", 5_000).join().mode() != 0);
            Files.writeString(agentDir.resolve("ca.pem"), ca.revocationList(List.of(revoked), NOW, Duration.ofDays(7)), java.nio.file.StandardOpenOption.APPEND);
            assertTrue(agentTls.check(), "the CA file with its revocation list is used");
            agentTls.tell(); // what the timer does after a change
            open.closed().get(5, TimeUnit.SECONDS);
            assertFalse(open.isActive(), "the revoked client's open connection is closed");
            assertTrue(kept.stat("uptime", 5_000).join().mode() != 0, "another client keeps its connection");
            assertTrue(agentTls.problem(clientChain(clientDir)).contains("revoked"), "the check says why");
            CompletableFuture<AgentClient> again = AgentClient.connect(loops, agent.address(), clientTls.client(), "client", Duration.ofSeconds(5));
            assertTrue(again.handle((c, e) -> e != null).get(10, TimeUnit.SECONDS), "a new handshake is refused");
        }
    }

    static X509Certificate[] clientChain(Path in) throws Exception {
        return Tls.read(credentials(in)).chain().toArray(X509Certificate[]::new);
    }
}
