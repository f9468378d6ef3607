package io.procsys.fs.history;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.fs.clock.BootInstant;
import io.procsys.history.CorruptHistoryException;
import io.procsys.history.SegmentBatch;
import io.procsys.history.StoreReader;
import io.procsys.net.client.AgentClient;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A host's recorded past, asked of an agent over the procsys protocol (History, version 7): its
 * own ("") or, by name, a host the agent lists (HistoryHosts, version 10: archived to it, or below
 * a tree node; {@link #forHost}). One connection per agent, shared by every host asked of it,
 * made when first needed and again after it is lost. What comes back is checked whole
 * (SegmentBatch) before anything of it is used. An agent older than version 7 records nothing:
 * the host is left out of the view, and status says why.
 */
public final class AgentPast implements PastSource {
    /** Longest wait for one answer (it reads up to 16 MiB of files on the agent, or a tree node forwards it below). */
    static final Duration WAIT = Duration.ofSeconds(10);
    /**
     * A clock this close to this host's is taken as in step: btime is whole seconds (floored by the
     * kernel) and the uptime's round trip adds its own error, so a smaller skew cannot be told.
     */
    static final long IN_STEP_MILLIS = 2000;

    /** The connection to one agent, shared by the hosts asked of it. */
    private static final class Connection {
        private final InetSocketAddress address;
        private final SslContext tls;
        private final String localNode;
        private final EventLoopGroup loops;
        private CompletableFuture<AgentClient> client;

        Connection(InetSocketAddress address, SslContext tls, String localNode, EventLoopGroup loops) {
            this.address = address;
            this.tls = tls;
            this.localNode = localNode;
            this.loops = loops;
        }

        synchronized CompletableFuture<AgentClient> client() {
            if (client == null || client.isCompletedExceptionally() || (client.isDone() && !client.join().isActive())) {
                client = AgentClient.connect(loops, address, tls, localNode, WAIT);
            }
            return client;
        }

        synchronized void close() {
            if (client != null) client.thenAccept(AgentClient::close);
        }
    }

    private final String host;
    private final Connection connection;

    /** {@code host}: the name to ask the agent for ("" its own host; a host it lists by its name). */
    public AgentPast(String host, InetSocketAddress address, SslContext tls, String localNode, EventLoopGroup loops) {
        this(host, new Connection(address, tls, localNode, loops));
    }

    private AgentPast(String host, Connection connection) {
        this.host = host;
        this.connection = connection;
    }

    /** The past of {@code name}, a host this agent lists, asked on the same connection (closed with this one). */
    public AgentPast forHost(String name) {
        return new AgentPast(name, connection);
    }

    @Override
    public CompletableFuture<StoreReader.Found> segments(long fromMillis, long toMillis) {
        return connection.client().thenCompose(c -> c.history(host, fromMillis, toMillis, WAIT.toMillis()))
                .orTimeout(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS)
                .thenApply(AgentPast::checked);
    }

    /** The hosts other than its own whose past the agent serves (none from an agent older than protocol 10); EPROTO for a malformed listing. */
    public CompletableFuture<List<String>> hosts() {
        return connection.client().thenCompose(c -> c.historyHosts(WAIT.toMillis())).orTimeout(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    private static StoreReader.Found checked(ByteBuf bytes) {
        try {
            return SegmentBatch.read(ByteBufUtil.getBytes(bytes));
        } catch (CorruptHistoryException e) {
            throw new ErrnoException(Errno.EPROTO, "a malformed answer: " + e.getMessage());
        } finally {
            bytes.release();
        }
    }

    /**
     * Measured as the live view measures a host's clock (docs/aggregation.md): its boot placed on
     * this host's clock from its uptime and the round trip, against the btime its own clock states.
     * Only for an agent's own host: a host behind it is not read live here.
     */
    @Override
    public CompletableFuture<Long> clockAheadMillis() {
        if (!host.isEmpty()) return CompletableFuture.completedFuture(0L);
        return connection.client().thenCompose(c -> {
            long sentMillis = System.currentTimeMillis(), sentNanos = System.nanoTime();
            return c.read("uptime", WAIT.toMillis()).thenCompose(uptime -> {
                long roundTrip = System.nanoTime() - sentNanos;
                long hundredths = BootInstant.uptimeHundredths(textOf(uptime));
                return c.read("stat", WAIT.toMillis()).thenApply(stat -> {
                    long btime = BootInstant.btime(textOf(stat));
                    if (hundredths < 0 || btime <= 0) throw new ErrnoException(Errno.EPROTO, "no uptime or btime to measure its clock by");
                    return aheadMillis(BootInstant.fromUptime(sentMillis, sentNanos, roundTrip, hundredths, btime));
                });
            });
        }).orTimeout(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** Whole seconds the clock of a host measured as {@code boot} is ahead, its skew (0 within {@link #IN_STEP_MILLIS}). */
    static long aheadMillis(BootInstant boot) {
        long ahead = Math.round(boot.skewSeconds() * 1000) + 500; // + 500: the kernel floors btime to the second
        return Math.abs(ahead) < IN_STEP_MILLIS ? 0 : Math.round(ahead / 1000.0) * 1000;
    }

    private static String textOf(ByteBuf bytes) {
        try {
            return bytes.toString(java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            bytes.release();
        }
    }

    @Override
    public String describe() {
        return "agent " + connection.address.getHostString() + ":" + connection.address.getPort() + (host.isEmpty() ? "" : " for " + host);
    }

    /** Closes the connection (of every host asked on it). */
    public void close() {
        connection.close();
    }
}
