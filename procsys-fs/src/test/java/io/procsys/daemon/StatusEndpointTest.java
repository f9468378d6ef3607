package io.procsys.daemon;

import io.procsys.fs.cluster.Peer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status socket over a real unix socket (in /run/procsys: run as root, as the tests are). */
class StatusEndpointTest {
    Path mount;
    StatusEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        mount = Files.createTempDirectory("procsys-status-");
        endpoint = StatusEndpoint.start(mount, Path.of("/proc"), null);
    }

    @AfterEach
    void stop() throws IOException {
        endpoint.close();
        Files.deleteIfExists(mount);
    }

    private String mirrorText() {
        return "mount " + mount + " serving /proc, 0 peer(s)\n";
    }

    @Test
    void answersTextOrJsonAsAsked() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(StatusEndpoint.socketFor(mount))));
        assertEquals(mirrorText(), new String(MountStatus.text(mount), StandardCharsets.UTF_8));
        assertEquals(new StatusEndpoint.Status(mount.toString(), "/proc", List.of(), null, null), StatusJson.read(MountStatus.json(mount)));
    }

    @Test
    void aClientOfThePreviousReleaseWhichSendsNothingGetsJson() throws IOException {
        long start = System.nanoTime();
        byte[] answer = rawExchange(null, false);
        System.out.printf("StatusEndpointTest: a client that sends nothing got its JSON after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertEquals(new StatusEndpoint.Status(mount.toString(), "/proc", List.of(), null, null), StatusJson.read(answer));
    }

    @Test
    void anUnknownTruncatedOrOverlongRequestGetsJson() throws IOException {
        for (String request : List.of("yaml\n", "TEXT\n", "tex", "text text\n", "x".repeat(10_000), "")) {
            byte[] answer = rawExchange(request, true);
            assertTrue(answer.length > 0 && answer[0] == '{', request + ": " + new String(answer, StandardCharsets.UTF_8));
            StatusJson.read(answer);
        }
        assertEquals(mirrorText(), new String(rawExchange("text", true), StandardCharsets.UTF_8), "EOF ends the line too");
    }

    @Test
    void badClientsDoNotStopTheEndpoint() throws IOException {
        for (int i = 0; i < 20; i++) {
            // gone before the answer: writing it fails
            SocketChannel.open(UnixDomainSocketAddress.of(StatusEndpoint.socketFor(mount))).close();
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(StatusEndpoint.socketFor(mount)))) {
                c.write(ByteBuffer.wrap("te".getBytes(StandardCharsets.US_ASCII))); // half a request, then gone
            }
        }
        assertEquals(mirrorText(), new String(MountStatus.text(mount), StandardCharsets.UTF_8));
    }

    @Test
    void textFromADaemonOfThePreviousReleaseIsRenderedHere() throws Exception {
        Path oldMount = Files.createTempDirectory("procsys-status-old-");
        Path socket = StatusEndpoint.socketFor(oldMount);
        var status = new StatusEndpoint.Status(oldMount.toString(), "/proc",
                List.of(new Peer.Status("a", "10.0.0.2:7070", Peer.State.UP, 120, "", Instant.parse("2024-05-01T10:06:07Z"), 1, 1, 0, "", null)),
                null, null);
        int connections = 20; // the previous release answers without reading: the request may meet a closed socket or not
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread previousRelease = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < connections; i++) {
                    try (SocketChannel client = server.accept()) {
                        client.write(ByteBuffer.wrap(StatusJson.write(status)));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            for (int i = 0; i < connections; i++) {
                assertEquals(StatusReport.render(status), new String(MountStatus.text(oldMount), StandardCharsets.UTF_8));
            }
            previousRelease.join();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(oldMount);
        }
    }

    /** Connects, writes {@code request} unless null, shuts output if asked, reads to EOF. */
    private byte[] rawExchange(String request, boolean shutOutput) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(StatusEndpoint.socketFor(mount)))) {
            if (request != null) c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            if (shutOutput) c.shutdownOutput();
            return MountStatus.readToEnd(c);
        }
    }
}
