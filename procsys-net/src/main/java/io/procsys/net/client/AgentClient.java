package io.procsys.net.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.procsys.net.TlsSessions;
import io.procsys.net.Transport;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.HistoryHostList;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One connection to an agent: hello on connect, then requests in flight, each answered through a
 * future that fails with a TimeoutException at the caller's wait (its entry goes then: a silent
 * agent costs nothing past it). What one agent may cost is bounded ({@link Limits}): requests in
 * flight, timeouts in a row (then the connection is closed) and the time a reply frame may take
 * once begun. A lost connection fails every pending request with ENOTCONN.
 */
public final class AgentClient implements AutoCloseable {
    /**
     * Bounds on one connection: at most {@code maxPending} requests in flight (more fail at once
     * with a TimeoutException), closed after {@code timeoutsInARow} requests unanswered in a row, or when
     * a reply frame is still incomplete {@code frameTime} after its first byte.
     */
    public record Limits(int maxPending, int timeoutsInARow, Supplier<Duration> frameTime) {
        public static final Limits DEFAULT = new Limits(4096, 8, () -> Duration.ofSeconds(60));

        /** These limits with {@code frameTime}: the longest any request of the connection waits, as it is when asked. */
        public Limits frameTime(Supplier<Duration> time) {
            return new Limits(maxPending, timeoutsInARow, time);
        }
    }

    /** The connection, once its pipeline is set up ({@link Pipeline}); null before. */
    private volatile Channel channel;
    private final Map<Integer, CompletableFuture<Message.Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final CompletableFuture<String> welcome = new CompletableFuture<>();
    /** How long the agent said it may wait for the hosts below it (its Welcome; 0 before version 6). */
    private volatile long peerWaitsMillis;
    /** The version this client asks for in its hello (and needs in the welcome). */
    private final int version;
    private final Limits limits;
    /** Requests that timed out since the last reply (the connection is closed at {@link Limits#timeoutsInARow}). */
    private final AtomicInteger timeoutsInARow = new AtomicInteger();
    /** Why this side closed the connection, or null. */
    private volatile String closedBecause;

    /**
     * The oldest agent version a client still reads (it needs Table): a refused hello is tried
     * again one version lower, down to this, so an agent not yet upgraded still serves the mount.
     */
    public static final int OLDEST_AGENT_VERSION = 2;

    private AgentClient(int version, Limits limits) {
        this.version = version;
        this.limits = limits;
    }

    /** A client connection's pipeline: [TLS] → framing (replies ≤ {@link Framing#MAX_REPLY_FRAME}) → codec → replies. */
    private static final class Pipeline extends ChannelInitializer<SocketChannel> {
        private final AgentClient client;
        private final SslContext tls;
        private final InetSocketAddress address;

        Pipeline(AgentClient client, SslContext tls, InetSocketAddress address) {
            this.client = client;
            this.tls = tls;
            this.address = address;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            client.channel = ch;
            if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
            Framing.install(ch.pipeline(), Framing.MAX_REPLY_FRAME, client.limits.frameTime());
            ch.pipeline().addLast("replies", client.new Replies());
        }
    }

    /**
     * Connects and exchanges hellos; the future completes with a ready client or fails with the
     * reason (refused, TLS, wrong protocol, timeout).
     */
    public static CompletableFuture<AgentClient> connect(EventLoopGroup group, InetSocketAddress address, SslContext tls,
                                                         String localNode, Duration timeout) {
        return connect(group, address, tls, localNode, timeout, Limits.DEFAULT);
    }

    /** As {@link #connect(EventLoopGroup, InetSocketAddress, SslContext, String, Duration)}, within {@code limits}. */
    public static CompletableFuture<AgentClient> connect(EventLoopGroup group, InetSocketAddress address, SslContext tls,
                                                         String localNode, Duration timeout, Limits limits) {
        return connectFrom(group, address, tls, localNode, timeout, System.nanoTime(), Message.PROTOCOL_VERSION, limits);
    }

    /** Asks in {@code version}; an older agent refuses a newer version with EPROTO: then one version lower, down to the oldest agent spoken to. */
    private static CompletableFuture<AgentClient> connectFrom(EventLoopGroup group, InetSocketAddress address, SslContext tls,
                                                              String localNode, Duration timeout, long start, int version, Limits limits) {
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        return connect(group, address, tls, localNode, left, version, limits).exceptionallyCompose(error -> {
            Duration still = timeout.minusNanos(System.nanoTime() - start);
            if (!refusedVersion(error) || version - 1 < OLDEST_AGENT_VERSION || still.isNegative() || still.isZero()) {
                return CompletableFuture.failedFuture(error);
            }
            return connectFrom(group, address, tls, localNode, timeout, start, version - 1, limits);
        });
    }

    private static boolean refusedVersion(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        return e instanceof ErrnoException r && r.errno() == Errno.EPROTO;
    }

    /** Connects asking for protocol {@code version}. */
    static CompletableFuture<AgentClient> connect(EventLoopGroup group, InetSocketAddress address, SslContext tls,
                                                  String localNode, Duration timeout, int version) {
        return connect(group, address, tls, localNode, timeout, version, Limits.DEFAULT);
    }

    private static CompletableFuture<AgentClient> connect(EventLoopGroup group, InetSocketAddress address, SslContext tls,
                                                          String localNode, Duration timeout, int version, Limits limits) {
        CompletableFuture<AgentClient> ready = new CompletableFuture<>();
        AgentClient client = new AgentClient(version, limits);
        Bootstrap b = new Bootstrap().group(group).channel(Transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new Pipeline(client, tls, address));
        b.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
                return;
            }
            client.channel.writeAndFlush(new Message.Hello(version, localNode));
            client.welcome.whenComplete((node, error) -> {
                if (error != null) {
                    client.close();
                    ready.completeExceptionally(error);
                } else {
                    ready.complete(client);
                }
            });
        });
        return ready.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((c, e) -> {
            if (e != null) client.close();
        });
    }

    /** How long the agent may wait for hosts below it before it answers (a tree node; 0 for any other agent): its Welcome's. */
    public long peerWaitsMillis() {
        return peerWaitsMillis;
    }

    /** The agent's node name, from its Welcome. */
    public String peerNode() {
        return welcome.getNow("?");
    }

    public boolean isActive() {
        Channel channel = this.channel;
        return channel != null && channel.isActive() && welcome.isDone() && !welcome.isCompletedExceptionally();
    }

    /**
     * Sends a request built with a fresh id; the future holds the reply (Error replies fail it
     * with ErrnoException), or fails with a TimeoutException after {@code waitMillis}, when the
     * request stops being pending: a reply after that is released unread.
     */
    public CompletableFuture<Message.Reply> request(IntFunction<? extends Message> build, long waitMillis) {
        CompletableFuture<Message.Reply> reply = new CompletableFuture<>();
        Channel channel = this.channel;
        if (channel == null || !channel.isActive()) {
            reply.completeExceptionally(new ErrnoException(Errno.ENOTCONN, "not connected"));
            return reply;
        }
        if (pending.size() >= limits.maxPending()) {
            reply.completeExceptionally(new TimeoutException(pending.size() + " requests to " + peerNode() + " unanswered"));
            return reply;
        }
        int id = nextId.getAndIncrement();
        pending.put(id, reply);
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> timedOut(reply), waitMillis, TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> {
            pending.remove(id);
            timer.cancel(false);
        });
        channel.writeAndFlush(build.apply(id)).addListener(f -> {
            if (!f.isSuccess()) reply.completeExceptionally(new ErrnoException(Errno.ENOTCONN, "send failed: " + f.cause()));
        });
        return reply;
    }

    /** A request's wait is over: it fails, and after {@link Limits#timeoutsInARow} of them in a row the connection is closed. */
    private void timedOut(CompletableFuture<Message.Reply> reply) {
        if (!reply.completeExceptionally(new TimeoutException())) return;
        if (timeoutsInARow.incrementAndGet() >= limits.timeoutsInARow() && closedBecause == null) {
            closedBecause = limits.timeoutsInARow() + " requests in a row unanswered";
            close();
        }
    }

    /** Requests in flight now. */
    public int pendingRequests() {
        return pending.size();
    }

    /** Why this side closed the connection (too many requests unanswered, a stalled frame), or null. */
    public String closedBecause() {
        return closedBecause;
    }

    /** The certificate the agent presented (its TLS session's), or null without TLS. */
    public X509Certificate peerCertificate() {
        X509Certificate[] chain = peerChain();
        return chain.length == 0 ? null : chain[0];
    }

    /** The chain the agent presented in its TLS session, empty without TLS. */
    public X509Certificate[] peerChain() {
        return TlsSessions.peerChain(channel);
    }

    /** Closes the connection, saying why (a peer that no longer validates, say). */
    public void close(String why) {
        if (closedBecause == null) closedBecause = why;
        close();
    }

    public CompletableFuture<FileAttributes> stat(String path, long waitMillis) {
        return request(id -> new Message.Stat(id, path), waitMillis).thenApply(r -> ((Message.Attributes) r).attributes());
    }

    public CompletableFuture<List<ExportedTree.Entry>> list(String path, long waitMillis) {
        return request(id -> new Message.ListDirectory(id, path), waitMillis).thenApply(r -> ((Message.Listing) r).entries());
    }

    /** A whole file; the caller owns the buffer and must release it. */
    public CompletableFuture<ByteBuf> read(String path, long waitMillis) {
        return data(request(id -> new Message.Read(id, path), waitMillis));
    }

    /**
     * The bytes of a Data reply. If the caller gives up first (its deadline completes the returned
     * future), the reply that arrives later is released here: nobody else will.
     */
    private static CompletableFuture<ByteBuf> data(CompletableFuture<Message.Reply> reply) {
        CompletableFuture<ByteBuf> bytes = reply.thenApply(r -> ((Message.Data) r).bytes());
        bytes.whenComplete((b, error) -> {
            if (error != null) reply.thenAccept(r -> {
                if (r instanceof Message.Data d) d.bytes().release();
            });
        });
        return bytes;
    }

    /** The process table of the tree at {@code path} (see ProcessTable), with threads or not; the caller owns the buffer. */
    public CompletableFuture<ByteBuf> table(String path, boolean threads, long waitMillis) {
        return table(path, threads, ProcessTableFormat.ALL_PARTS, false, waitMillis);
    }

    /**
     * As {@link #table(String, boolean, long)}, holding {@code parts} of every process (all of them
     * from an agent older than version 4); with {@code subtree}, a tree node answers with a
     * {@link io.procsys.net.protocol.TableBundle} (an agent older than version 5 is not asked for one).
     */
    public CompletableFuture<ByteBuf> table(String path, boolean threads, int parts, boolean subtree, long waitMillis) {
        int asked = version >= Message.TABLE_PARTS_VERSION ? parts : ProcessTableFormat.ALL_PARTS;
        boolean below = subtree && version >= Message.SUBTREE_VERSION;
        return data(request(id -> new Message.Table(id, path, threads, asked, below), waitMillis));
    }

    /**
     * The recorded past of {@code host} ("" the agent's own) from {@code fromMillis} to
     * {@code toMillis}, as a batch of segments (the caller owns the buffer), within {@code waitMillis};
     * an agent older than version 7 fails with EPROTONOSUPPORT (93) without being asked.
     */
    public CompletableFuture<ByteBuf> history(String host, long fromMillis, long toMillis, long waitMillis) {
        if (version < Message.HISTORY_VERSION) {
            return CompletableFuture.failedFuture(new ErrnoException(93, "agent " + peerNode() + " speaks protocol " + version + ": it records nothing"));
        }
        return data(request(id -> new Message.History(id, host, fromMillis, toMillis), waitMillis));
    }

    /**
     * The hosts other than its own whose past the agent serves (HistoryHosts, protocol 10), within
     * {@code waitMillis}: none from an agent older than version 10 (not asked). A listing that
     * breaks {@link HistoryHostList}'s rules fails with EPROTO saying why; the connection goes on.
     */
    public CompletableFuture<List<String>> historyHosts(long waitMillis) {
        if (version < Message.HISTORY_HOSTS_VERSION) return CompletableFuture.completedFuture(List.of());
        return data(request(Message.HistoryHosts::new, waitMillis)).thenApply(HistoryHostList::fromReply);
    }

    /**
     * Makes this connection see only the scope of {@code specs} (protocol 8; docs/scope.md), or
     * asks its state again: the scope's state on the agent's host. Send it before any request that
     * must be scoped, and only to an agent of {@link Message#SCOPE_VERSION} or later.
     */
    public CompletableFuture<io.procsys.scope.ScopeState> scope(List<String> specs, long waitMillis) {
        return request(id -> new Message.Scope(id, specs), waitMillis).thenApply(r -> ((Message.ScopeReply) r).state());
    }

    public CompletableFuture<String> readlink(String path, long waitMillis) {
        return request(id -> new Message.Readlink(id, path), waitMillis).thenApply(r -> ((Message.LinkText) r).text());
    }

    /** The protocol version this connection speaks (older than {@link Message#PROTOCOL_VERSION} with an older agent). */
    public int version() {
        return version;
    }

    /** Whether the agent understands actions (signal, setpriority, ioprio_get). */
    public boolean speaksActions() {
        return version >= Message.ACTIONS_VERSION;
    }

    /** kill(2) through the agent: completes with 0, or fails with the agent's errno (ErrnoException). */
    public CompletableFuture<Integer> signal(int pid, long startTime, int signal, String user, int uid, long waitMillis) {
        return done(request(id -> new Message.Signal(id, pid, startTime, signal, user, uid), waitMillis));
    }

    /** setpriority(PRIO_PROCESS) through the agent: 0, or fails with its errno. */
    public CompletableFuture<Integer> setPriority(int pid, long startTime, int nice, String user, int uid, long waitMillis) {
        return done(request(id -> new Message.SetPriority(id, pid, startTime, nice, user, uid), waitMillis));
    }

    /** ioprio_get(IOPRIO_WHO_PROCESS) through the agent: the value, or fails with its errno. */
    public CompletableFuture<Integer> ioprioGet(int pid, long startTime, long waitMillis) {
        return done(request(id -> new Message.IoprioGet(id, pid, startTime), waitMillis));
    }

    private static CompletableFuture<Integer> done(CompletableFuture<Message.Reply> reply) {
        return reply.thenApply(r -> {
            if (r instanceof Message.Done d) return d.value();
            throw new ErrnoException(Errno.EPROTO, "agent answered an action with " + r.getClass().getSimpleName());
        });
    }

    /** A future that completes when the connection closes. */
    public CompletableFuture<Void> closed() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel channel = this.channel;
        if (channel == null) done.complete(null);
        else channel.closeFuture().addListener(f -> done.complete(null));
        return done;
    }

    @Override
    public void close() {
        Channel channel = this.channel;
        if (channel != null) channel.close();
    }

    /** Matches replies to pending requests. */
    private final class Replies extends SimpleChannelInboundHandler<Message> {
        Replies() {
            super(false); // Data buffers pass to their requester, who releases them
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof Message.Welcome w) {
                if (w.version() != version) {
                    welcome.completeExceptionally(new ErrnoException(Errno.EPROTO, "agent speaks protocol " + w.version()));
                } else {
                    peerWaitsMillis = w.waitsMillis();
                    welcome.complete(w.node());
                }
                return;
            }
            if (!welcome.isDone()) {
                int errno = msg instanceof Message.Error e ? e.errno() : Errno.EPROTO;
                welcome.completeExceptionally(new ErrnoException(errno, errno == Errno.EPROTO
                        ? "agent refused the hello: it speaks another protocol version (upgrade agents before mounts)"
                        : "agent refused the hello"));
                release(msg);
                return;
            }
            timeoutsInARow.set(0); // an answer, even a late one: the agent is alive
            CompletableFuture<Message.Reply> reply = msg instanceof Message.Reply ? pending.get(msg.id()) : null;
            if (reply == null) {
                release(msg); // late reply to a request that timed out
                return;
            }
            if (msg instanceof Message.Error e) reply.completeExceptionally(new ErrnoException(e.errno(), "agent " + peerNode()));
            else if (!reply.complete((Message.Reply) msg)) release(msg);
        }

        private void release(Message msg) {
            if (msg instanceof Message.Data d) d.bytes().release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ErrnoException lost = new ErrnoException(Errno.ENOTCONN, "connection to " + peerNode() + " lost");
            welcome.completeExceptionally(lost);
            pending.values().forEach(f -> f.completeExceptionally(lost));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (closedBecause == null) closedBecause = String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
            welcome.completeExceptionally(cause);
            ctx.close();
        }
    }
}
