package io.procsys.daemon;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Offenders;
import io.procsys.fs.cluster.Peer;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.fs.cluster.Staleness;
import io.procsys.net.ReloadingTls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mount's status on a unix socket beside it (readable by the mounting user only), one
 * connection at a time: the client writes a request line, {@value #REQUEST_TEXT} (what `procsys status`
 * prints, {@link StatusReport}) or {@value #REQUEST_JSON} (the {@link StatusJson} document), and reads
 * the answer to EOF ({@link MountStatus} is the client). A client that sends no complete line
 * within {@link #REQUEST_WAIT}, or another word, gets the JSON: a client of the previous release
 * sent nothing and read the JSON.
 */
public final class StatusEndpoint implements AutoCloseable {
    public static final String REQUEST_TEXT = "text";
    public static final String REQUEST_JSON = "json";
    /** Longer than either request line; more is not read. */
    private static final int MAX_REQUEST = 16;
    private static final Duration REQUEST_WAIT = Duration.ofSeconds(1);

    /**
     * What the endpoint answers; {@code tls}: the mount's certificate (null without TLS), with a
     * warning near its end; {@code clock}: the view's boot and each host's measured here, with its
     * skew (null on a mirror); {@code stale}: the hosts served from an earlier answer lately, or
     * left out; {@code quotas}: the hosts a share of the mount was taken back from (each null from
     * a daemon of an older release); {@code scope}: one line per host of a view with --scope
     * (docs/scope.md), none otherwise (or from an older daemon).
     */
    public record Status(String mountpoint, String procRoot, List<Peer.Status> peers, DnsPeers.Status discovery, ReloadingTls.Status tls,
                         ClockStatus clock, List<Staleness.Host> stale, List<Offenders.Quota> quotas, List<String> scope) {
        public Status {
            scope = scope == null ? List.of() : List.copyOf(scope);
        }

        public Status(String mountpoint, String procRoot, List<Peer.Status> peers, DnsPeers.Status discovery, ReloadingTls.Status tls,
                      ClockStatus clock, List<Staleness.Host> stale, List<Offenders.Quota> quotas) {
            this(mountpoint, procRoot, peers, discovery, tls, clock, stale, quotas, List.of());
        }

        public Status(String mountpoint, String procRoot, List<Peer.Status> peers, DnsPeers.Status discovery, ReloadingTls.Status tls) {
            this(mountpoint, procRoot, peers, discovery, tls, null, List.of(), List.of());
        }
    }

    private final Path socket;
    private final ServerSocketChannel server;

    private StatusEndpoint(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
    }

    public static Path socketFor(Path mountpoint) {
        return RunFiles.socket("status", mountpoint);
    }

    public static StatusEndpoint start(Path mountpoint, Path procRoot, Cluster cluster) throws IOException {
        return start(mountpoint, procRoot.toString(), cluster, List::of);
    }

    /** The status of a view of the past (`mount --at`): no live /proc, no peers; the text answer ends with {@code notes}, its time and its hosts. */
    public static StatusEndpoint startPast(Path mountpoint, java.util.function.Supplier<List<String>> notes) throws IOException {
        return start(mountpoint, "the past (recorded frames, no live /proc)", null, notes);
    }

    private static StatusEndpoint start(Path mountpoint, String serving, Cluster cluster, java.util.function.Supplier<List<String>> notes) throws IOException {
        Path socket = socketFor(mountpoint);
        ServerSocketChannel server = RunFiles.listenPrivately(socket); // never a live daemon's socket
        StatusEndpoint endpoint = new StatusEndpoint(socket, server);
        Thread.ofVirtual().name("status-endpoint").start(() -> endpoint.serve(mountpoint, serving, cluster, notes));
        return endpoint;
    }

    private void serve(Path mountpoint, String procRoot, Cluster cluster, java.util.function.Supplier<List<String>> notes) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                boolean text = REQUEST_TEXT.equals(requestOf(client));
                List<Peer.Status> peers = cluster == null ? List.of() : cluster.peers().stream().map(Peer::status).toList();
                ReloadingTls credentials = cluster == null ? null : cluster.credentials();
                Status status = new Status(mountpoint.toString(), procRoot, peers,
                        cluster == null ? null : cluster.discovery(), credentials == null ? null : credentials.status(),
                        cluster == null ? null : cluster.clock(),
                        cluster == null ? List.of() : cluster.staleHosts(), cluster == null ? List.of() : cluster.offenders(),
                        cluster == null ? List.of() : cluster.scopeReport());
                byte[] body = text ? (StatusReport.render(status) + String.join("", notes.get().stream().map(n -> n + "\n").toList()))
                        .getBytes(StandardCharsets.UTF_8) : StatusJson.write(status);
                ByteBuffer out = ByteBuffer.wrap(body);
                while (out.hasRemaining()) client.write(out);
            } catch (IOException | RuntimeException e) {
                // that client is gone or could not be answered; the next one is
                if (!server.isOpen()) return;
            }
        }
    }

    /**
     * The request line (without its newline; EOF ends it too), or "" if none came complete
     * within {@link #REQUEST_WAIT} or in {@link #MAX_REQUEST} bytes. Leaves the channel blocking.
     */
    private static String requestOf(SocketChannel client) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        boolean complete = false;
        long deadline = System.nanoTime() + REQUEST_WAIT.toNanos();
        client.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            client.register(selector, SelectionKey.OP_READ);
            while (!complete && in.hasRemaining()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
                int start = in.position();
                int read = client.read(in);
                complete = read < 0 || indexOfNewline(in, start) >= 0;
            }
        }
        client.configureBlocking(true); // the selector is closed: the channel is no longer registered
        if (!complete) return "";
        int end = indexOfNewline(in, 0);
        return new String(in.array(), 0, end < 0 ? in.position() : end, StandardCharsets.US_ASCII);
    }

    private static int indexOfNewline(ByteBuffer in, int from) {
        for (int i = from; i < in.position(); i++) if (in.get(i) == '\n') return i;
        return -1;
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
