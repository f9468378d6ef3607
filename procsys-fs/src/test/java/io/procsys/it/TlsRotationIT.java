package io.procsys.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.procsys.daemon.StatusEndpoint;
import io.procsys.daemon.StatusJson;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Certificates;
import io.procsys.net.ReloadingTls;
import io.procsys.net.Tls;
import io.procsys.net.Transport;
import io.procsys.net.client.AgentClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificates rotate under a running agent (`procsys agent`, its own process, files replaced with
 * mv and cp) and a running cluster mount (files in the kubelet's layout, replaced by its `..data`
 * symlink swap) while a reader reads a remote file and a combined file without pause: first new
 * leaf certificates of the same CA, then a new CA (a bundle of old and new CA first, then leaves
 * of the new CA). No read fails, the mount's connection stays up, new handshakes present the new
 * certificates, and after a restart the agent, now trusting only the new CA, admits the mount:
 * it presents its new certificate.
 */
class TlsRotationIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Instant NOW = Instant.now().minus(Duration.ofMinutes(5));
    static final long WAIT_MILLIS = 20_000;

    Path base, agentDir, mountDir, scratch, agentLog;
    int port;
    int generation;

    /** Files of one issue, written to a scratch directory: their PEM texts and their paths. */
    record Issue(BigInteger serial, String certificate, String key, Tls.Credentials files) {}

    Issue issue(Certificates ca, String node, Duration validity, Path caFile) throws Exception {
        Certificates.Issued issued = ca.issue(node, List.of("localhost", "127.0.0.1"), NOW, validity);
        Path dir = Files.createDirectories(scratch.resolve("issue-" + (++generation)));
        Tls.Credentials files = issued.write(dir, caFile);
        return new Issue(issued.certificate().getSerialNumber(), Files.readString(files.certificate()), Files.readString(files.key()), files);
    }

    static String caPem(Certificates ca, Path dir) throws IOException {
        return Files.readString(ca.writeAuthority(Files.createDirectories(dir)));
    }

    /** The agent's files are plain files: certificate and key replaced with mv (a new inode), the CA rewritten in place (cp). */
    void replaceAgentFiles(Issue leaf, String ca) throws IOException {
        if (leaf != null) {
            for (String[] f : new String[][]{{"tls.crt", leaf.certificate()}, {"tls.key", leaf.key()}}) {
                Path staging = agentDir.resolve("." + f[0] + ".new");
                Files.writeString(staging, f[1]);
                Files.move(staging, agentDir.resolve(f[0]), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (ca != null) Files.writeString(agentDir.resolve("ca.crt"), ca);
    }

    /** The mount's files as the kubelet keeps a Secret: NAME → ..data/NAME, ..data → ..TIMESTAMP, swapped by renaming a new ..data over. */
    void publishMountFiles(Issue leaf, String ca) throws IOException {
        Path version = Files.createDirectories(mountDir.resolve("..2026_01_01_00_00_0" + (++generation)));
        Files.writeString(version.resolve("tls.crt"), leaf.certificate());
        Files.writeString(version.resolve("tls.key"), leaf.key());
        Files.writeString(version.resolve("ca.crt"), ca);
        Path link = mountDir.resolve("..data");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, version.getFileName());
            for (String name : List.of("tls.crt", "tls.key", "ca.crt")) Files.createSymbolicLink(mountDir.resolve(name), Path.of("..data", name));
            return;
        }
        Path old = mountDir.resolve(Files.readSymbolicLink(link));
        Files.createSymbolicLink(mountDir.resolve("..data_tmp"), version.getFileName());
        Files.move(mountDir.resolve("..data_tmp"), link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (var files = Files.list(old)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(old);
    }

    Process startAgent() throws IOException {
        return new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--name", "far",
                "--proc-root", FIXTURE.toString(), "--warmup", "0", "--tls-reload-seconds", "1",
                "--cert", agentDir.resolve("tls.crt").toString(), "--key", agentDir.resolve("tls.key").toString(),
                "--ca", agentDir.resolve("ca.crt").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(agentLog.toFile())).start();
    }

    /** The certificate an agent presents to a new connection (a TLS handshake only, with {@code client}'s credentials). */
    static X509Certificate presentedBy(int port, SslContext client, EventLoopGroup loops) throws Exception {
        CompletableFuture<SslHandler> handler = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(loops).channel(Transport.channel()).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler h = client.newHandler(ch.alloc(), "127.0.0.1", port);
                ch.pipeline().addLast(h);
                handler.complete(h);
            }
        }).connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        try {
            SslHandler h = handler.get(5, TimeUnit.SECONDS);
            h.handshakeFuture().get(5, TimeUnit.SECONDS);
            return (X509Certificate) h.engine().getSession().getPeerCertificates()[0];
        } finally {
            ch.close().sync();
        }
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        ClusterMountIT.waitFor(condition, WAIT_MILLIS, what);
    }

    BigInteger agentSerial(ReloadingTls probe, EventLoopGroup loops) {
        try {
            return presentedBy(port, probe.client(), loops).getSerialNumber();
        } catch (Exception e) {
            return BigInteger.ZERO;
        }
    }

    long agentReloads() throws IOException {
        return Files.readAllLines(agentLog).stream().filter(l -> l.contains("changed: new connections use certificate")).count();
    }

    @Test
    void certificatesAndTheCaRotateUnderContinuousReadsWithoutAFailure() throws Exception {
        base = Files.createTempDirectory("procsys-rotation-");
        agentDir = Files.createDirectories(base.resolve("agent"));
        mountDir = Files.createDirectories(base.resolve("mount"));
        scratch = Files.createDirectories(base.resolve("scratch"));
        agentLog = base.resolve("agent.log");
        port = ClusterMountIT.freePortBelowEphemeralRange();

        Certificates ca1 = Certificates.newAuthority("rotation CA 1", NOW, Duration.ofDays(400));
        String ca1Pem = caPem(ca1, scratch.resolve("ca1"));
        Path ca1File = scratch.resolve("ca1/ca.pem");
        Issue agent1 = issue(ca1, "far", Duration.ofDays(90), ca1File);
        Issue mount1 = issue(ca1, "near", Duration.ofDays(90), ca1File);
        replaceAgentFiles(agent1, ca1Pem);
        publishMountFiles(mount1, ca1Pem);

        EventLoopGroup loops = Transport.eventLoops(1);
        Process agent = startAgent();
        ReloadingTls mountTls = ReloadingTls.load(new Tls.Credentials(mountDir.resolve("tls.crt"), mountDir.resolve("tls.key"),
                mountDir.resolve("ca.crt"))).start(Duration.ofSeconds(1));
        Cluster cluster = new Cluster("near", List.of(new Cluster.PeerAddress("far", new InetSocketAddress("127.0.0.1", port))),
                mountTls.client(), Duration.ofSeconds(2));
        TestMount mounted = new TestMount(Path.of("/proc"), cluster);
        StatusEndpoint status = StatusEndpoint.start(mounted.path, Path.of("/proc"), cluster);
        AtomicBoolean reading = new AtomicBoolean(true);
        try {
            Peer peer = cluster.peers().getFirst();
            waitFor(() -> peer.status().state() == Peer.State.UP, "far up");
            assertEquals(mountTls, cluster.credentials());
            assertEquals(agent1.serial(), agentSerial(mountTls, loops));

            // the reader: a remote host's file and a combined file, over and over
            Path mount = mounted.path;
            byte[] farLoadavg = Files.readAllBytes(FIXTURE.resolve("loadavg"));
            long bothMemTotal = ClusterMountIT.memTotalKb(Files.readString(Path.of("/proc/meminfo")))
                    + ClusterMountIT.memTotalKb(Files.readString(FIXTURE.resolve("meminfo")));
            AtomicLong reads = new AtomicLong();
            AtomicLong peerNotUp = new AtomicLong();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            Thread reader = Thread.ofPlatform().name("rotation-reader").start(() -> {
                while (reading.get()) {
                    try {
                        if (!java.util.Arrays.equals(farLoadavg, Files.readAllBytes(mount.resolve("hosts/far/loadavg")))) {
                            failures.add("hosts/far/loadavg differs");
                        }
                        long memTotal = ClusterMountIT.memTotalKb(Files.readString(mount.resolve("meminfo")));
                        if (memTotal != bothMemTotal) failures.add("combined meminfo without far: " + memTotal);
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                    if (peer.status().state() != Peer.State.UP) peerNotUp.incrementAndGet();
                    reads.incrementAndGet();
                }
            });

            // 1. new leaf certificates, same CA
            Issue agent2 = issue(ca1, "far", Duration.ofDays(90), ca1File);
            Issue mount2 = issue(ca1, "near", Duration.ofDays(90), ca1File);
            replaceAgentFiles(agent2, null);
            publishMountFiles(mount2, ca1Pem);
            waitFor(() -> mountTls.certificate().getSerialNumber().equals(mount2.serial()), "the mount's new certificate");
            waitFor(() -> agentSerial(mountTls, loops).equals(agent2.serial()), "the agent presenting its new certificate");

            // 2. a new CA: both sides trust old and new first, then get certificates of the new one
            Certificates ca2 = Certificates.newAuthority("rotation CA 2", NOW, Duration.ofDays(400));
            String ca2Pem = caPem(ca2, scratch.resolve("ca2"));
            String bundle = ca1Pem + ca2Pem;
            Path bundleFile = Files.writeString(scratch.resolve("bundle.pem"), bundle);
            long reloadsBefore = agentReloads();
            replaceAgentFiles(null, bundle);
            publishMountFiles(mount2, bundle);
            waitFor(() -> mountTls.trusted().size() == 2, "the mount trusting both CAs");
            waitFor(() -> {
                try {
                    return agentReloads() > reloadsBefore;
                } catch (IOException e) {
                    return false;
                }
            }, "the agent trusting both CAs");
            Issue agent3 = issue(ca2, "far", Duration.ofDays(90), bundleFile);
            Issue mount3 = issue(ca2, "near", Duration.ofDays(10), bundleFile); // near its end: status warns
            replaceAgentFiles(agent3, null);
            publishMountFiles(mount3, bundle);
            waitFor(() -> mountTls.certificate().getSerialNumber().equals(mount3.serial()), "the mount's certificate of the new CA");
            waitFor(() -> agentSerial(mountTls, loops).equals(agent3.serial()), "the agent presenting its certificate of the new CA");

            Thread.sleep(1_000); // a little more reading on the new credentials
            reading.set(false);
            reader.join();
            System.out.println("TlsRotationIT: " + reads.get() + " reads of hosts/far/loadavg and meminfo during the rotations, "
                    + failures.size() + " failed");
            assertTrue(reads.get() > 50, "reads: " + reads.get());
            assertEquals(List.of(), failures, "no read failed during the rotations (" + reads.get() + " reads)");
            assertEquals(0, peerNotUp.get(), "the mount's connection to the agent never dropped");
            assertEquals(3, mountTls.reloads());
            assertFalse(Files.readString(agentLog).contains("not used"), Files.readString(agentLog));

            // procsys status shows the mount's certificate and warns that it ends within 14 days
            Commands.Result json = Commands.procsys("status", "--json", mount.toString());
            assertEquals(0, json.exit(), json.all());
            var tree = StatusJson.JSON.readTree(json.out());
            assertEquals(mount3.serial().toString(16), tree.path("tls").path("serial").asText(), json.out());
            assertEquals(3, tree.path("tls").path("reloads").asInt(), json.out());
            assertTrue(tree.path("tls").path("warning").asText().contains("expires in"), json.out());
            long left = tree.path("tls").path("secondsUntilExpiry").asLong();
            assertTrue(left > Duration.ofDays(9).getSeconds() && left <= Duration.ofDays(10).getSeconds(), json.out());
            Commands.Result human = Commands.procsys("status", mount.toString());
            assertEquals(0, human.exit(), human.all());
            assertTrue(human.out().contains("serial " + mount3.serial().toString(16)), human.out());
            assertTrue(human.out().contains("WARNING: the TLS certificate"), human.out());

            // 3. the agent restarts trusting only the new CA: the mount's reconnect presents its new certificate, or it would be refused
            agent.destroy();
            assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
            waitFor(() -> peer.status().state() != Peer.State.UP, "far down");
            replaceAgentFiles(null, ca2Pem);
            agent = startAgent();
            waitFor(() -> peer.status().state() == Peer.State.UP, "far back, admitting the mount's new certificate");
            assertTrue(java.util.Arrays.equals(farLoadavg, Files.readAllBytes(mount.resolve("hosts/far/loadavg"))));
            assertEquals(agent3.serial(), agentSerial(mountTls, loops));
            // ... as the control shows: the mount's former certificate (of the old CA) is refused now
            SslContext former = Tls.client(new Tls.Credentials(mount2.files().certificate(), mount2.files().key(), bundleFile));
            assertThrows(Exception.class, () -> AgentClient.connect(loops, new InetSocketAddress("127.0.0.1", port), former, "near",
                    Duration.ofSeconds(5)).join());
        } finally {
            reading.set(false);
            status.close();
            mounted.close();
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
            mountTls.close();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
