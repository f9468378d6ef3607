package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.client.AgentClient;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * A remote host: one connection to its agent, kept up in the background (reconnect with
 * exponential backoff, 100 ms to 5 s, back to 100 ms once the host answered a request). Every
 * request carries the deadline: a host that is down answers EHOSTUNREACH at once, one that is
 * slow ETIMEDOUT at the deadline, and one that missed it lately ETIMEDOUT at once but for one
 * request a deadline period ({@link Lateness}); nothing waits longer. Tables may take longer
 * ({@link TableWaits}). What the connection may cost is bounded ({@link AgentClient.Limits}).
 */
public final class Peer implements Backend, AutoCloseable {
    public enum State { CONNECTING, UP, DOWN }

    /** How long an action (a signal, setpriority, ioprio_get) waits for its host by default: longer than a read, for a loaded host. */
    public static final Duration DEFAULT_ACTION_DEADLINE = Duration.ofSeconds(5);
    /**
     * A host's first process table may take this many deadlines, and at least
     * {@link #FIRST_TABLE_FLOOR}, once per host until it has answered a table, not once per
     * connection (a slow host builds its first table cold: QEMU guests missed a 3 s deadline);
     * later tables have the deadline (TableWaits).
     */
    public static final int FIRST_TABLE_DEADLINES = 5;
    /**
     * A cold host's first table does not get faster with a shorter deadline: a TCG guest whose
     * agent had just started took over 2.5 s (5 default deadlines) in one CI run of four.
     */
    static final Duration FIRST_TABLE_FLOOR = Duration.ofSeconds(10);
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** The configured name, or for a peer found through DNS its agent's node name once connected. */
    private volatile String name;
    private final boolean namedByAgent;
    private volatile Runnable onUp = () -> {};
    /** What a new connection goes through before the peer is up (a scope, PeerScope); by default nothing. */
    private volatile java.util.function.Function<AgentClient, CompletableFuture<AgentClient>> beforeUp = CompletableFuture::completedFuture;
    private final InetSocketAddress address;
    private final SslContext tls;
    private final String localNode;
    private final EventLoopGroup loops;
    private final Duration deadline;
    private volatile AgentClient client;
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "";
    private volatile Instant lastSeen;
    private volatile long roundTripMicros = -1;
    private volatile boolean closed;
    private final TableWaits tableWaits;
    private final Lateness lateness;
    private Duration backoff = MIN_BACKOFF;
    private final LongAdder requests = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder tables = new LongAdder();
    private final LongAdder tableBytes = new LongAdder();
    private final PeerErrors errors = new PeerErrors();
    private final PeerActions actions = new PeerActions(this);
    /** Made with the name; a peer named by its agent's hello starts anew under that name (before it joins the view). */
    private volatile TableErrors tableErrors;

    /** {@code name} null: the peer takes the node name its agent sends in the hello (DNS discovery). */
    public Peer(String name, InetSocketAddress address, SslContext tls, String localNode, EventLoopGroup loops, Duration deadline) {
        this(name, address, tls, localNode, loops, deadline, false);
    }

    /** As above; {@code node}: the configuration says this peer is a tree node (its Welcome's wait is honoured, TableWaits). */
    public Peer(String name, InetSocketAddress address, SslContext tls, String localNode, EventLoopGroup loops, Duration deadline, boolean node) {
        this.namedByAgent = name == null;
        this.name = name != null ? name : address.getAddress().getHostAddress() + ":" + address.getPort();
        this.address = address;
        this.tls = tls;
        this.localNode = localNode;
        this.loops = loops;
        this.deadline = deadline;
        this.tableErrors = new TableErrors(this.name, System::nanoTime);
        this.tableWaits = new TableWaits(this::name, deadline, node);
        this.lateness = new Lateness(this::name, deadline.toNanos(), System::nanoTime);
    }

    private volatile boolean nameAdopted;

    /** Runs {@code action} each time the connection comes up (on a Netty thread). */
    public Peer onUp(Runnable action) {
        this.onUp = action;
        return this;
    }

    /** Each new connection goes through {@code step} before the peer counts as up; a failed step is a failed connection attempt. */
    public Peer beforeUp(java.util.function.Function<AgentClient, CompletableFuture<AgentClient>> step) {
        this.beforeUp = step;
        return this;
    }

    /** Actions wait this long for the host (default {@link #DEFAULT_ACTION_DEADLINE}), reads the deadline. */
    public Peer actionDeadline(Duration wait) {
        actions.deadline(wait);
        return this;
    }

    /** A tree node's announced wait for the hosts below it is honoured up to this (--max-below-wait). */
    public Peer maxBelowWait(Duration wait) {
        tableWaits.maxBelowWait(wait);
        return this;
    }

    /** Signals, setpriority and ioprio_get on this host's processes. */
    public PeerActions actions() {
        return actions;
    }

    /** The live connection to the agent, or null before the first. */
    AgentClient client() {
        return client;
    }

    /** Starts connecting; returns at once. */
    public Peer start() {
        connect();
        return this;
    }

    private void connect() {
        if (closed) return;
        state = client == null ? State.CONNECTING : State.DOWN;
        long t0 = System.nanoTime();
        AgentClient.connect(loops, address, tls, localNode, deadline.multipliedBy(4), limits()).thenCompose(c -> beforeUp.apply(c)).whenComplete((c, error) -> {
            if (error != null) {
                failed(PeerErrors.Kind.REFUSED);
                lastError = describe(error);
                state = State.DOWN;
                retryLater();
                return;
            }
            if (closed) {
                c.close();
                return;
            }
            client = c;
            if (namedByAgent && !nameAdopted) {
                name = c.peerNode();
                tableErrors = new TableErrors(name, System::nanoTime);
                nameAdopted = true;
            }
            connections.increment();
            state = State.UP;
            seen(t0);
            onUp.run();
            c.closed().thenRun(() -> {
                if (client == c) {
                    lastError = c.closedBecause() != null ? "connection closed: " + c.closedBecause() : "connection lost";
                    state = State.DOWN;
                    retryLater();
                }
            });
        });
    }

    /** The bounds of a connection: its frames may take as long as its longest request waits (with the options as they are then). */
    private AgentClient.Limits limits() {
        return AgentClient.Limits.DEFAULT.frameTime(() -> {
            Duration tables = TableWaits.firstTableLimit(deadline).plus(tableWaits.maxBelowWait());
            Duration actions = this.actions.deadline();
            return tables.compareTo(actions) > 0 ? tables : actions;
        });
    }

    /** Back to the shortest reconnect delay: the host answered a request (a hello alone does not count). */
    private synchronized void answeredOnce() {
        backoff = MIN_BACKOFF;
    }

    private synchronized void retryLater() {
        if (closed) return;
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        loops.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void seen(long startNanos) {
        lastSeen = Instant.now();
        roundTripMicros = (System.nanoTime() - startNanos) / 1000;
    }

    private static String describe(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        return e instanceof TimeoutException ? "timed out" : String.valueOf(e.getMessage() != null ? e.getMessage() : e);
    }

    /** Runs one read-like request against the live connection, bounded by the deadline; at once ETIMEDOUT while the host is late. */
    private <T> CompletableFuture<T> call(BiFunction<AgentClient, Long, CompletableFuture<T>> request) {
        return call(request, deadline, true);
    }

    /**
     * Runs one request against the live connection, bounded by {@code limit}. {@code gated}: while
     * the host is late, fails at once (ETIMEDOUT) unless it is the one request of the deadline
     * period that waits (Lateness); actions are not gated, they have their own deadline.
     */
    <T> CompletableFuture<T> call(BiFunction<AgentClient, Long, CompletableFuture<T>> request, Duration limit, boolean gated) {
        requests.increment();
        AgentClient c = client;
        if (c == null || !c.isActive()) {
            failed(PeerErrors.Kind.DOWN);
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EHOSTUNREACH, "host " + name + " is " + state.name().toLowerCase()));
        }
        if (gated && !lateness.mayWait()) {
            failed(PeerErrors.Kind.LATE);
            return CompletableFuture.failedFuture(new ErrnoException(Errno.ETIMEDOUT, "host " + name + " did not answer in time lately (for "
                    + lateness.lateMillis() + " ms): not waited for until it does"));
        }
        long t0 = System.nanoTime();
        long waitMillis = limit.toMillis();
        return request.apply(c, waitMillis).handle((value, error) -> {
            if (error == null) {
                answered(t0);
                return value;
            }
            Throwable e = ErrnoException.unwrapped(error);
            PeerErrors.Kind kind = PeerErrors.kindOf(e);
            failed(kind);
            if (kind == PeerErrors.Kind.REMOTE_ERRNO) answered(t0); // an answer, in time
            if (e instanceof ErrnoException r) throw r;
            if (e instanceof TimeoutException) {
                lateness.missed();
                lastError = "request timed out after " + waitMillis + " ms";
                throw new ErrnoException(Errno.ETIMEDOUT, "host " + name + " did not answer in time");
            }
            throw new ErrnoException(Errno.EIO, "host " + name + ": " + e);
        });
    }

    private void answered(long startNanos) {
        seen(startNanos);
        lateness.answered();
        answeredOnce();
    }

    /**
     * Closes the connection when the agent's certificate no longer validates ({@code trust}: why
     * not, or null): after the TLS files changed (a CA dropped, a revocation list), or it expired.
     * The next connect is refused by the handshake until the agent has a certificate to trust.
     */
    void checkTrust(java.util.function.Function<java.security.cert.X509Certificate[], String> trust) {
        AgentClient c = client;
        java.security.cert.X509Certificate[] chain = c == null ? new java.security.cert.X509Certificate[0] : c.peerChain();
        String problem = chain.length == 0 ? null : trust.apply(chain);
        if (problem != null) c.close("its certificate no longer validates: " + problem);
    }

    /** Whether the host answers in time, and since when it does not. */
    Lateness lateness() {
        return lateness;
    }

    @Override
    public boolean late() {
        return lateness.late();
    }

    private void failed(PeerErrors.Kind kind) {
        errors.count(kind);
    }

    /** Failures of requests and connection attempts of one kind so far. */
    public long errors(PeerErrors.Kind kind) {
        return errors.of(kind);
    }

    @Override
    public void tableError(String why) {
        tableErrors.record(why);
    }

    /** A table error of a host below this tree node: counted and shown here, logged by that host (HostBelow). */
    void tableErrorBelow(String why) {
        tableErrors.count(why);
    }

    @Override
    public long connections() {
        return connections.sum();
    }

    /** Bytes of the process tables received so far. */
    public long tableBytes() {
        return tableBytes.sum();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        return call((c, wait) -> c.stat(path, wait));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return call((c, wait) -> c.list(path, wait));
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return call((c, wait) -> c.readlink(path, wait));
    }

    /** The process table of this host's tree, with threads or not, holding {@code parts} (ProcessTableFormat.PARTS; the caller owns the buffer). */
    public CompletableFuture<ByteBuf> table(boolean threads, int parts) {
        return table(threads, parts, false);
    }

    /** As {@link #table(boolean, int)}; with {@code subtree}, a tree node's whole subtree (a TableBundle), any other agent's own table. */
    public CompletableFuture<ByteBuf> table(boolean threads, int parts, boolean subtree) {
        tables.increment();
        TableWaits.Wait wait = tableWaits.nextTable(client);
        // a host's first table is asked for even while it is late: the long first wait is for a cold, slow host
        return call((c, ms) -> c.table("", threads, parts, subtree, ms), wait.limit(), !wait.first()).thenApply(table -> {
            tableWaits.answered();
            tableBytes.add(table.readableBytes());
            return table;
        });
    }

    @Override
    public boolean firstTableDue() {
        return tableWaits.firstWaitDue();
    }

    /** How long a listing that starts now may wait for this host's table (the deadline, a first table's wait, a node's honoured wait). */
    @Override
    public Duration listingWait() {
        return tableWaits.listingWait(client);
    }

    /** The wait for the hosts below it that the agent announced and this mount honours (a tree node's, clamped; else 0). */
    public long agentWaitsMillis() {
        AgentClient c = client;
        return c != null && c.isActive() ? tableWaits.honouredMillis(c) : 0;
    }

    /** The live connection to the agent, or null while there is none (a tree node forwards History on it: fs.history.ForwardedHistory). */
    public AgentClient connection() {
        AgentClient c = client;
        return c != null && c.isActive() ? c : null;
    }

    /** The protocol version of the connection to the agent, or 0 while there is none. */
    public int protocolVersion() {
        AgentClient c = client;
        return c != null && c.isActive() ? c.version() : 0;
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        return call((c, wait) -> c.read(path, wait)).thenApply(Contents::received);
    }

    /**
     * What `procsys status` shows for this host; {@code requests} counts every request sent,
     * {@code tables} the process tables among them; {@code tableErrors} the listings that left the
     * host (or some of its processes) out and the tables refused, the last one {@code lastTableError}
     * at {@code lastTableErrorAt} (TableErrors).
     */
    public record Status(String name, String address, State state, long roundTripMicros, String lastError, Instant lastSeen,
                         long requests, long tables, long tableErrors, String lastTableError, Instant lastTableErrorAt) {}

    public Status status() {
        // a peer found through DNS was dialled by the DNS name: its record's address tells it apart
        String host = namedByAgent && address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        TableErrors t = tableErrors;
        return new Status(name, host + ":" + address.getPort(), state, roundTripMicros, lastError, lastSeen,
                requests.sum(), tables.sum(), t.count(), t.last(), t.lastAt());
    }

    @Override
    public void close() {
        closed = true;
        AgentClient c = client;
        if (c != null) c.close();
    }
}
