package io.procsys.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.agent.Agent;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents on loopback, plaintext and mutual TLS, with well-behaved and hostile clients. */
class AgentTest {
    static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    static Path certs;
    static Tls.Credentials agentFiles, clientFiles, strangerFiles, expiredFiles;
    static EventLoopGroup loops;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = Files.createTempDirectory("procsys-certs-");
        Instant now = Instant.now().minus(Duration.ofMinutes(5));
        Certificates ca = Certificates.newAuthority("procsys test CA", now, Duration.ofDays(1));
        Path caPem = ca.writeAuthority(certs);
        agentFiles = ca.issue("agent", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(1)).write(certs, caPem);
        clientFiles = ca.issue("client", List.of("localhost"), now, Duration.ofDays(1)).write(certs, caPem);
        expiredFiles = ca.issue("expired", List.of(), now.minus(Duration.ofDays(10)), Duration.ofDays(1)).write(certs, caPem);
        Path other = Files.createDirectories(certs.resolve("other"));
        Certificates stranger = Certificates.newAuthority("another CA", now, Duration.ofDays(1));
        strangerFiles = stranger.issue("stranger", List.of(), now, Duration.ofDays(1)).write(other, stranger.writeAuthority(other));
        loops = Transport.eventLoops(1);
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Agent agent(SslContext tls) throws InterruptedException {
        return Agent.start(ANY_PORT, "agent-1", new ExportedTree(ProcTree.open(Path.of("/proc"))), tls);
    }

    static AgentClient connect(Agent agent, SslContext tls) {
        return AgentClient.connect(loops, agent.address(), tls, "test-client", Duration.ofSeconds(5)).join();
    }

    @Test
    void servesStatListReadAndReadlinkWithManyRequestsInFlight() throws Exception {
        try (Agent agent = agent(null); AgentClient client = connect(agent, null)) {
            assertEquals("agent-1", client.peerNode());
            assertTrue(client.stat("meminfo", 5_000).join().mode() != 0);
            assertTrue(client.list("", 5_000).join().stream().anyMatch(e -> e.name().equals("meminfo")));
            assertEquals(String.valueOf(ProcessHandle.current().pid()), client.readlink("self", 5_000).join(), "agent's own self as text");
            ByteBuf meminfo = client.read("meminfo", 5_000).join();
            assertTrue(meminfo.toString(StandardCharsets.US_ASCII).startsWith("MemTotal:"));
            meminfo.release();
            ErrnoException denied = (ErrnoException) assertThrows(CompletionException.class, () -> client.read("1/environ", 5_000).join()).getCause();
            assertEquals(Errno.EACCES, denied.errno());
            ErrnoException escape = (ErrnoException) assertThrows(CompletionException.class, () -> client.read("1/root/etc/shadow", 5_000).join()).getCause();
            assertEquals(Errno.ELOOP, escape.errno());
            List<CompletableFuture<ByteBuf>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2000; i++) inFlight.add(client.read(i % 2 == 0 ? "stat" : "loadavg", 20_000));
            for (var f : inFlight) {
                ByteBuf b = f.get(20, TimeUnit.SECONDS);
                assertTrue(b.readableBytes() > 10);
                b.release();
            }
            assertTrue(agent.stats().requests() >= 2006);
        }
    }

    @Test
    void mutualTlsAdmitsOnlyPeersOfTheTrustedCa() throws Exception {
        try (Agent agent = agent(Tls.server(agentFiles))) {
            try (AgentClient client = connect(agent, Tls.client(clientFiles))) {
                assertTrue(client.stat("uptime", 5_000).join().mode() != 0);
            }
            for (Tls.Credentials bad : List.of(strangerFiles, expiredFiles)) {
                assertThrows(CompletionException.class, () -> connect(agent, Tls.client(bad)), bad.certificate().toString());
            }
            assertThrows(CompletionException.class, () -> connect(agent, null), "plaintext to the TLS port");
            try (AgentClient client = connect(agent, Tls.client(clientFiles))) {
                assertTrue(client.stat("uptime", 5_000).join().mode() != 0, "still serving after the refusals");
            }
            assertTrue(agent.stats().refusedPeers() >= 2, "refusals counted: " + agent.stats().refusedPeers());
        }
    }

    /** Agents are upgraded first: a client of an older protocol version is welcomed in its own version. */
    @Test
    void aClientOfTheOldestVersionIsAnsweredInItsVersion() throws Exception {
        try (Agent agent = agent(null); Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
            int version = Message.OLDEST_PROTOCOL_VERSION;
            java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
            out.write(new byte[]{0, 0, 0, 10, 1, 0, 0, 0, 0, 0, (byte) version, 0, 1, 'x'}); // Hello(version, "x")
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            in.readInt(); // length
            assertEquals(2, in.readUnsignedByte(), "a Welcome");
            assertEquals(0, in.readInt(), "of id 0");
            assertEquals(version, in.readUnsignedShort(), "in the client's version");
            in.skipNBytes(in.readUnsignedShort()); // the agent's node name
            out.write(new byte[]{0, 0, 0, 14, 10, 0, 0, 0, 7, 0, 7, 'm', 'e', 'm', 'i', 'n', 'f', 'o'}); // Stat(7, "meminfo")
            in.readInt();
            assertEquals(20, in.readUnsignedByte(), "the Attributes of a request version 1 has");
            assertEquals(7, in.readInt());
        }
    }

    @Test
    void hostileClientsAreClosedAndOthersKeepBeingServed() throws Exception {
        try (Agent agent = agent(null)) {
            // an oversize length prefix
            try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                s.getOutputStream().write(new byte[]{0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                assertEquals(-1, readUntilClosed(s.getInputStream()));
            }
            // the wrong protocol version
            try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                OutputStream out = s.getOutputStream();
                byte[] node = "x".getBytes(StandardCharsets.US_ASCII);
                out.write(new byte[]{0, 0, 0, (byte) (5 + 2 + 2 + node.length), 1, 0, 0, 0, 0, 0, 99, 0, (byte) node.length});
                out.write(node);
                assertEquals(-1, readUntilClosed(s.getInputStream()));
            }
            // a version older than any this agent speaks, and one from the future
            for (int version : new int[]{Message.OLDEST_PROTOCOL_VERSION - 1, Message.PROTOCOL_VERSION + 1}) {
                try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                    s.getOutputStream().write(new byte[]{0, 0, 0, 10, 1, 0, 0, 0, 0, 0, (byte) version, 0, 1, 'x'});
                    assertEquals(-1, readUntilClosed(s.getInputStream()));
                }
            }
            // a request before any hello
            try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                s.getOutputStream().write(new byte[]{0, 0, 0, 8, 12, 0, 0, 0, 1, 0, 1, 'x'});
                assertEquals(-1, readUntilClosed(s.getInputStream()));
            }
            try (AgentClient client = connect(agent, null)) {
                assertTrue(client.stat("meminfo", 5_000).join().mode() != 0);
            }
            assertTrue(agent.stats().badFrames() + agent.stats().refusedPeers() >= 3);
        }
    }

    @Test
    void slowDripClientIsClosedAtTheHelloDeadline() throws Exception {
        try (Agent agent = agent(null)) {
            long deadline = Agent.HELLO_DEADLINE.toMillis();
            try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                s.setSoTimeout(250);
                OutputStream out = s.getOutputStream();
                long t0 = System.nanoTime();
                // a frame of 16000 bytes (within the limit), one byte every 250 ms: never idle, never done
                byte[] hello = {0, 0, 0x3e, (byte) 0x80, 1};
                boolean closed = false;
                for (int i = 0; !closed && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(deadline + 3000); i++) {
                    try {
                        out.write(hello[Math.min(i, 4)]);
                        closed = s.getInputStream().read() < 0;
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        // nothing to read yet
                    } catch (IOException reset) {
                        closed = true;
                    }
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(closed, "closed despite the drip");
                assertTrue(tookMs >= deadline - 100 && tookMs <= deadline + 1000, "closed at the deadline: " + tookMs + " ms");
            }
            try (AgentClient client = connect(agent, null)) {
                assertTrue(client.stat("meminfo", 5_000).join().mode() != 0, "others still served");
            }
        }
    }

    /** Open descriptors of this process, the least of a few samples (listing them opens one, and other threads come and go). */
    static long openFileDescriptors() throws IOException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                least = Math.min(least, fds.count());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return least;
    }

    @Test
    void tenThousandConnectionsOpenedAndDroppedLeaveNothingBehind() throws Exception {
        try (Agent agent = agent(null)) {
            try (AgentClient warm = connect(agent, null)) {
                warm.stat("meminfo", 5_000).join();
            }
            Thread.sleep(200);
            long fdsBefore = openFileDescriptors();
            int threadsBefore = Thread.activeCount();
            long heapBefore = usedHeapAfterGc();
            long directBefore = io.netty.util.internal.PlatformDependent.usedDirectMemory();
            for (int i = 0; i < 10_000; i++) {
                try (Socket s = new Socket("127.0.0.1", agent.address().getPort())) {
                    s.setSoLinger(true, 0); // drop, do not linger in TIME_WAIT
                    if (i % 1000 == 0) s.getOutputStream().write(new byte[]{0, 0, 0, 1, 99});
                }
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (openFileDescriptors() > fdsBefore + 5 && System.currentTimeMillis() < deadline) Thread.sleep(50);
            long fdsAfter = openFileDescriptors();
            assertTrue(fdsAfter <= fdsBefore + 5, "descriptors back to baseline: " + fdsBefore + " → " + fdsAfter);
            assertTrue(Thread.activeCount() <= threadsBefore + 2, "threads back to baseline: " + threadsBefore + " → " + Thread.activeCount());
            assertTrue(agent.stats().connections() >= 10_000);
            long heapAfter = usedHeapAfterGc(), directAfter = io.netty.util.internal.PlatformDependent.usedDirectMemory();
            assertTrue(heapAfter <= heapBefore + (8 << 20), "heap back to baseline: " + heapBefore + " → " + heapAfter);
            assertTrue(directAfter <= directBefore + (4 << 20), "direct buffers back to baseline: " + directBefore + " → " + directAfter);
            System.out.printf("after 10000 connections: fds %d → %d, threads %d → %d, heap %d → %d KiB, direct %d → %d KiB%n",
                    fdsBefore, fdsAfter, threadsBefore, Thread.activeCount(), heapBefore >> 10, heapAfter >> 10, directBefore >> 10, directAfter >> 10);
            try (AgentClient client = connect(agent, null)) {
                assertTrue(client.stat("meminfo", 5_000).join().mode() != 0, "still serving");
            }
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, rt.totalMemory() - rt.freeMemory());
        }
        return least;
    }

    /** Reads until the peer closes; returns -1 then (a timeout fails the test). */
    static int readUntilClosed(InputStream in) throws IOException {
        byte[] buf = new byte[1024];
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (in.read(buf) < 0) return -1;
        }
        throw new AssertionError("connection not closed");
    }

    @Test
    void unreachableAgentFailsFast() {
        long t0 = System.nanoTime();
        assertThrows(CompletionException.class, () -> AgentClient.connect(loops, new InetSocketAddress("127.0.0.1", 1),
                null, "c", Duration.ofSeconds(2)).join());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
    }
}
