package io.procsys.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.ReloadingTls;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A mount's status on a unix socket beside it (readable by the mounting user only): every
 * connection receives one JSON document and is closed. `procsys status MOUNTPOINT` reads it.
 */
public final class StatusEndpoint implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    /** What the endpoint answers; {@code tls}: the mount's certificate (null without TLS), with a warning near its end. */
    public record Status(String mountpoint, String procRoot, List<Peer.Status> peers, DnsPeers.Status discovery, ReloadingTls.Status tls) {}

    private final Path socket;
    private final ServerSocketChannel server;

    private StatusEndpoint(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
    }

    public static Path socketFor(Path mountpoint) {
        return Path.of("/run/procsys", "status" + mountpoint.toAbsolutePath().normalize().toString().replace('/', '_') + ".sock");
    }

    public static StatusEndpoint start(Path mountpoint, Path procRoot, Cluster cluster) throws IOException {
        Path socket = socketFor(mountpoint);
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        StatusEndpoint endpoint = new StatusEndpoint(socket, server);
        Thread.ofVirtual().name("status-endpoint").start(() -> endpoint.serve(mountpoint, procRoot, cluster));
        return endpoint;
    }

    private void serve(Path mountpoint, Path procRoot, Cluster cluster) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                List<Peer.Status> peers = cluster == null ? List.of() : cluster.peers().stream().map(Peer::status).toList();
                ReloadingTls credentials = cluster == null ? null : cluster.credentials();
                byte[] body = JSON.writeValueAsBytes(new Status(mountpoint.toString(), procRoot.toString(), peers,
                        cluster == null ? null : cluster.discovery(), credentials == null ? null : credentials.status()));
                ByteBuffer out = ByteBuffer.wrap(body);
                while (out.hasRemaining()) client.write(out);
            } catch (IOException e) {
                if (!server.isOpen()) return;
            }
        }
    }

    /** Reads the status of the mount at {@code mountpoint}. */
    public static Status read(Path mountpoint) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socketFor(mountpoint)))) {
            var bytes = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (channel.read(buf.clear()) > 0) bytes.write(buf.array(), 0, buf.position());
            return JSON.readValue(bytes.toByteArray(), Status.class);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the socket file goes with /run at the latest
        }
    }
}
