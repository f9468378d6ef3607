package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.client.AgentClient;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A remote host: one connection to its agent, kept up in the background (reconnect with
 * exponential backoff, 100 ms to 5 s). Every request carries the deadline: a host that is down
 * answers EHOSTUNREACH at once, one that is slow ETIMEDOUT at the deadline; nothing waits longer.
 */
public final class Peer implements Backend, AutoCloseable {
    public enum State { CONNECTING, UP, DOWN }

    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final java.util.concurrent.atomic.AtomicBoolean olderAgentLogged = new java.util.concurrent.atomic.AtomicBoolean();

    /** How long an action (a signal, setpriority, ioprio_get) waits for its host by default: longer than a read, for a loaded host. */
    public static final Duration DEFAULT_ACTION_DEADLINE = Duration.ofSeconds(5);
    /**
     * A host's first process table after it joined or came back may take this many deadlines,
     * and at least {@link #FIRST_TABLE_FLOOR}, once (a slow host builds its first table cold:
     * QEMU guests missed a 3 s deadline); later tables have the deadline.
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
    private volatile Duration actionDeadline = DEFAULT_ACTION_DEADLINE;
    private volatile AgentClient client;
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "";
    private volatile Instant lastSeen;
    private volatile long roundTripMicros = -1;
    private volatile boolean closed;
    /** Since the connection last came up: whether a table arrived, whether the long first wait was given (guarded by this). */
    private boolean tableSinceUp, firstWaitGiven;
    private Duration backoff = MIN_BACKOFF;
    private final LongAdder requests = new LongAdder();
    private final LongAdder tables = new LongAdder();
    private final LongAdder tableBytes = new LongAdder();
    private final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    /** Made with the name; a peer named by its agent's hello starts anew under that name (before it joins the view). */
    private volatile TableErrors tableErrors;

    /** Why a request failed, or a connection attempt: what {@code procsys_peer_errors_total} counts, by kind. */
    public enum ErrorKind {
        /** The deadline passed without an answer. */
        TIMEOUT,
        /** Asked while the host was down or connecting: answered EHOSTUNREACH at once. */
        DOWN,
        /** A connection attempt failed (refused, unreachable, TLS, hello refused or late). */
        REFUSED,
        /** The connection was lost with the request in flight, or the request could not be sent. */
        DISCONNECTED,
        /** The agent answered with an errno (ENOENT for a process that exited, EACCES, ...). */
        REMOTE_ERRNO,
        /** Anything else: an answer of the wrong kind, a bad table, a failure of this side. */
        PROTOCOL;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        public String label() {
            return label;
        }
    }

    {
        for (int i = 0; i < errors.length; i++) errors[i] = new LongAdder();
    }

    /** {@code name} null: the peer takes the node name its agent sends in the hello (DNS discovery). */
    public Peer(String name, InetSocketAddress address, SslContext tls, String localNode, EventLoopGroup loops, Duration deadline) {
        this.namedByAgent = name == null;
        this.name = name != null ? name : address.getAddress().getHostAddress() + ":" + address.getPort();
        this.address = address;
        this.tls = tls;
        this.localNode = localNode;
        this.loops = loops;
        this.deadline = deadline;
        this.tableErrors = new TableErrors(this.name, System::nanoTime);
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
        this.actionDeadline = wait;
        return this;
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
        AgentClient.connect(loops, address, tls, localNode, deadline.multipliedBy(4)).thenCompose(c -> beforeUp.apply(c)).whenComplete((c, error) -> {
            if (error != null) {
                failed(ErrorKind.REFUSED);
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
            synchronized (this) {
                tableSinceUp = false;
                firstWaitGiven = false;
            }
            state = State.UP;
            backoff = MIN_BACKOFF;
            seen(t0);
            onUp.run();
            c.closed().thenRun(() -> {
                if (client == c) {
                    lastError = "connection lost";
                    state = State.DOWN;
                    retryLater();
                }
            });
        });
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

    /** Runs one request against the live connection, bounded by the deadline. */
    private <T> CompletableFuture<T> call(Function<AgentClient, CompletableFuture<T>> request) {
        return call(request, deadline);
    }

    /**
     * Runs one request against the live connection, bounded by {@code limit} plus what the agent
     * said it may itself wait for the hosts below it (a tree node: deadlines nest by themselves).
     */
    private <T> CompletableFuture<T> call(Function<AgentClient, CompletableFuture<T>> request, Duration limit) {
        requests.increment();
        AgentClient c = client;
        if (c == null || !c.isActive()) {
            failed(ErrorKind.DOWN);
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EHOSTUNREACH, "host " + name + " is " + state.name().toLowerCase()));
        }
        long t0 = System.nanoTime();
        long waitMillis = limit.toMillis() + c.peerWaitsMillis();
        return request.apply(c)
                .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
                .handle((value, error) -> {
                    if (error == null) {
                        seen(t0);
                        return value;
                    }
                    Throwable e = ErrnoException.unwrapped(error);
                    failed(kindOf(e));
                    if (e instanceof ErrnoException r) throw r;
                    if (e instanceof TimeoutException) {
                        lastError = "request timed out after " + waitMillis + " ms";
                        throw new ErrnoException(Errno.ETIMEDOUT, "host " + name + " did not answer in time");
                    }
                    throw new ErrnoException(Errno.EIO, "host " + name + ": " + e);
                });
    }

    /** The kind of a request's failure, as the client or the deadline reported it. */
    static ErrorKind kindOf(Throwable e) {
        if (e instanceof TimeoutException) return ErrorKind.TIMEOUT;
        if (e instanceof ErrnoException r) {
            // the client's own: the connection went away (AgentClient), or this side gave up
            if (r.errno() == Errno.ENOTCONN) return ErrorKind.DISCONNECTED;
            if (r.errno() == Errno.EHOSTUNREACH) return ErrorKind.DOWN;
            return ErrorKind.REMOTE_ERRNO;
        }
        return ErrorKind.PROTOCOL;
    }

    private void failed(ErrorKind kind) {
        errors[kind.ordinal()].increment();
    }

    /** Failures of requests and connection attempts of one kind so far. */
    public long errors(ErrorKind kind) {
        return errors[kind.ordinal()].sum();
    }

    @Override
    public void tableError(String why) {
        tableErrors.record(why);
    }

    /** A table error of a host below this tree node: counted and shown here, logged by that host (HostBelow). */
    void tableErrorBelow(String why) {
        tableErrors.count(why);
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
        return call(c -> c.stat(path));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return call(c -> c.list(path));
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return call(c -> c.readlink(path));
    }

    /** The process table of this host's tree, with threads or not, holding {@code parts} (ProcessTableFormat.PARTS; the caller owns the buffer). */
    public CompletableFuture<ByteBuf> table(boolean threads, int parts) {
        return table(threads, parts, false);
    }

    /** As {@link #table(boolean, int)}; with {@code subtree}, a tree node's whole subtree (a TableBundle), any other agent's own table. */
    public CompletableFuture<ByteBuf> table(boolean threads, int parts, boolean subtree) {
        tables.increment();
        Duration limit = firstTableWait() ? firstTableLimit(deadline) : deadline;
        return call(c -> c.table("", threads, parts, subtree), limit).thenApply(table -> {
            synchronized (this) {
                tableSinceUp = true;
            }
            tableBytes.add(table.readableBytes());
            return table;
        });
    }

    /** How long a host's first table may take, for a peer with {@code deadline}. */
    static Duration firstTableLimit(Duration deadline) {
        Duration deadlines = deadline.multipliedBy(FIRST_TABLE_DEADLINES);
        return deadlines.compareTo(FIRST_TABLE_FLOOR) > 0 ? deadlines : FIRST_TABLE_FLOOR;
    }

    /** Whether the next table may take {@link #firstTableLimit}: none came since the connection came up, and the long wait was not given yet. */
    private synchronized boolean firstTableWait() {
        if (tableSinceUp || firstWaitGiven) return false;
        firstWaitGiven = true;
        return true;
    }

    /** How long the agent said it may wait for hosts below it (a tree node), 0 for any other agent or while not connected. */
    public long agentWaitsMillis() {
        AgentClient c = client;
        return c != null && c.isActive() ? c.peerWaitsMillis() : 0;
    }

    /** kill(2) of {@code pid} on this host through its agent (README "Acting on the cluster"): 0, or fails with the errno. */
    public CompletableFuture<Integer> signal(int pid, long startTime, int signal, String user, int uid) {
        return action(c -> c.signal(pid, startTime, signal, user, uid));
    }

    /** setpriority(PRIO_PROCESS) of {@code pid} through the agent: 0, or fails with the errno. */
    public CompletableFuture<Integer> setPriority(int pid, long startTime, int nice, String user, int uid) {
        return action(c -> c.setPriority(pid, startTime, nice, user, uid));
    }

    /** ioprio_get of {@code pid} through the agent: the value, or fails with the errno. */
    public CompletableFuture<Integer> ioprioGet(int pid, long startTime) {
        return action(c -> c.ioprioGet(pid, startTime));
    }

    /**
     * An action, unless the agent speaks an older protocol: then EPERM here, without a word to
     * the agent (which would refuse the message and close the connection), logged once.
     */
    private CompletableFuture<Integer> action(Function<AgentClient, CompletableFuture<Integer>> request) {
        AgentClient c = client;
        if (c != null && c.isActive() && !c.speaksActions()) {
            if (olderAgentLogged.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "the agent of " + name + " speaks protocol " + c.version()
                        + ", without signals: they are refused here (EPERM) until it is upgraded");
            }
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EPERM, "the agent of " + name + " is too old for signals"));
        }
        return call(request, actionDeadline).exceptionallyCompose(error -> CompletableFuture.failedFuture(asActionError(error)));
    }

    /**
     * kill(2), setpriority(2) and ioprio_get(2) never answer ETIMEDOUT or EHOSTUNREACH, and tools
     * do not expect them (psutil.pid_exists raised TimeoutError): a host that is down, or did not
     * answer within the action deadline, is EAGAIN, "try again". A signal sent before the
     * deadline may still arrive.
     */
    static Throwable asActionError(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        if (e instanceof ErrnoException r && (r.errno() == Errno.ETIMEDOUT || r.errno() == Errno.EHOSTUNREACH || r.errno() == Errno.ENOTCONN)) {
            return new ErrnoException(Errno.EAGAIN, r.reason());
        }
        return e;
    }

    /** The protocol version of the connection to the agent, or 0 while there is none. */
    public int protocolVersion() {
        AgentClient c = client;
        return c != null && c.isActive() ? c.version() : 0;
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        return call(c -> c.read(path)).thenApply(Peer::content);
    }

    /** A remote file: the received bytes as one direct region, released with the content. */
    private static Content content(ByteBuf received) {
        ByteBuf owned = oneDirectRegion(received);
        MemorySegment bytes = MemorySegment.ofBuffer(owned.nioBuffer());
        return new Content() {
            public MemorySegment bytes() {
                return bytes;
            }

            public void release() {
                owned.release();
            }
        };
    }

    /**
     * {@code received} itself when it is one direct region (the usual case), else a copy that is
     * (and {@code received} released): what fuse_reply_buf can take as native memory.
     */
    static ByteBuf oneDirectRegion(ByteBuf received) {
        if (received.isDirect() && received.nioBufferCount() == 1) return received;
        ByteBuf copy = received.alloc().directBuffer(received.readableBytes()).writeBytes(received);
        received.release();
        return copy;
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
