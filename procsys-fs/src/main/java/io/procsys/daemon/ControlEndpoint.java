package io.procsys.daemon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.ClusterActions;
import io.procsys.net.Transport;
import io.procsys.net.log.RateLimitedLog;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A mount's control socket (README "Acting on the cluster"): `procsys kill`, `procsys which` and
 * `procsys exec`'s supervisor ask here to act on remote processes. One JSON request per
 * connection, one line of at most {@link #MAX_REQUEST} bytes; one JSON line answers it
 * ({@link Reply}), and the connection closes.
 *
 * <p>Who asks is the kernel's word: the peer's uid from SO_PEERCRED, its name from this host's
 * user database (getpwuid_r), never from the request. One exception: a peer of uid 0 (the
 * `procsys exec` supervisor, root) may name the uid it acts for ({@code asUid}, the trapped
 * process's uid); root could become that user and ask itself, so this grants nothing. A
 * request of another peer naming a uid not its own is refused (EPERM).
 *
 * <p>The socket is {@code rw-------} (its owner, the mounting user, and root), or
 * {@code rw-rw-rw-} when the mount has {@code allow_other}: every user who reads the mount may
 * ask for their own processes, as their own uid; the agents apply UNIX rules to that user. So a
 * user is bounded ({@link ControlBounds}): connections at once, requests a second, and the time a
 * request takes to arrive whole; a line longer than {@link #MAX_REQUEST} closes the connection at
 * once. Root is not bounded. The actions are logged at most {@link #LOG_LINES_PER_SECOND} lines a
 * second, with a count of the lines dropped.
 */
public final class ControlEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.daemon.control");
    static final int MAX_REQUEST = 4096;
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final int LOG_LINES_PER_SECOND = 20;
    private static final RateLimitedLog ACTIONS_LOG = new RateLimitedLog(LOG, LOG_LINES_PER_SECOND);

    /**
     * A request: {@code op} is "signal" ({@code signal}), "setpriority" ({@code nice}), "ioprio"
     * or "which", on cluster pid {@code pid}; {@code asUid} only from root (see the class comment).
     */
    public record Request(String op, long pid, Integer signal, Integer nice, Integer asUid) {}

    /** The answer: {@code errno} 0 or the errno; {@code value} what ioprio read; {@code host} and {@code localPid} for which. */
    public record Reply(int errno, Integer value, String host, Integer localPid, String message) {}

    private final Path socket;
    private final EventLoopGroup loops;
    private final Channel server;

    private ControlEndpoint(Path socket, EventLoopGroup loops, Channel server) {
        this.socket = socket;
        this.loops = loops;
        this.server = server;
    }

    public static Path socketFor(Path mountpoint) {
        return RunFiles.socket("control", mountpoint);
    }

    /** Listens beside the mount at {@code mountpoint}; {@code cluster} null for a mirror of this host. */
    public static ControlEndpoint start(Path mountpoint, Cluster cluster, boolean allowOther) throws IOException {
        return start(mountpoint, cluster, allowOther, new ControlBounds(ControlBounds.Limits.DEFAULT));
    }

    /** As above, holding every user but root to {@code bounds}. */
    public static ControlEndpoint start(Path mountpoint, Cluster cluster, boolean allowOther, ControlBounds bounds) throws IOException {
        if (!Epoll.isAvailable()) throw new IOException("the control socket needs Netty's epoll transport: " + Epoll.unavailabilityCause());
        Path socket = socketFor(mountpoint);
        RunFiles.claim(socket);
        EventLoopGroup loops = Transport.eventLoops(1);
        try {
            // the request must come whole within the request deadline; its answer within the action deadline (a host's)
            long answerMillis = (cluster == null ? 0 : cluster.actionDeadline().toMillis()) + 5_000;
            Channel server = RunFiles.bindPrivately(() -> new ServerBootstrap().group(loops).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            ch.pipeline().addLast(new LineBasedFrameDecoder(MAX_REQUEST, true, true),
                                    new StringDecoder(CharsetUtil.UTF_8), new Handler(cluster, bounds, answerMillis));
                        }
                    }).bind(new DomainSocketAddress(socket.toString())).sync().channel());
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(allowOther ? "rw-rw-rw-" : "rw-------"));
            return new ControlEndpoint(socket, loops, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loops.shutdownGracefully();
            throw new IOException("interrupted");
        } catch (Exception e) {
            loops.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /** One connection: its user counted and its deadline set as it opens, then one request, one reply. */
    private static final class Handler extends SimpleChannelInboundHandler<String> {
        private final Cluster cluster;
        private final ControlBounds bounds;
        private final long answerMillis;
        private boolean answered, counted;
        private int peerUid = -1;
        private ScheduledFuture<?> deadline;

        Handler(Cluster cluster, ControlBounds bounds, long answerMillis) {
            this.cluster = cluster;
            this.bounds = bounds;
            this.answerMillis = answerMillis;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            try {
                peerUid = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().uid();
            } catch (IOException e) {
                ctx.close(); // no credentials, no answer
                return;
            }
            if (!bounds.connect(peerUid)) {
                reply(ctx, new Reply(Errno.EAGAIN, null, null, null, "too many connections of uid " + peerUid + " (at most "
                        + bounds.limits().connectionsPerUser() + ")"));
                return;
            }
            counted = true;
            deadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, bounds.limits().requestDeadline().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (deadline != null) deadline.cancel(false);
            if (counted) bounds.disconnect(peerUid);
            counted = false;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (answered || !counted) return;
            answered = true;
            deadline.cancel(false);
            deadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, answerMillis, TimeUnit.MILLISECONDS);
            if (!bounds.request(peerUid)) {
                reply(ctx, new Reply(Errno.EAGAIN, null, null, null, "more than " + (long) bounds.limits().requestsPerSecond()
                        + " requests a second from uid " + peerUid));
                return;
            }
            int peerUid = this.peerUid;
            // name lookups may ask a directory service: not on the event loop
            Thread.ofVirtual().name("control-request").start(() -> {
                CompletableFuture<Reply> reply;
                try {
                    reply = answer(cluster, JSON.readValue(line, Request.class), peerUid);
                } catch (IOException e) {
                    reply = CompletableFuture.completedFuture(new Reply(Errno.EINVAL, null, null, null, "not a request: " + e.getMessage().lines().findFirst().orElse("")));
                } catch (RuntimeException e) {
                    reply = CompletableFuture.completedFuture(failure(e));
                }
                reply.exceptionally(ControlEndpoint::failure).thenAccept(r -> reply(ctx, r));
            });
        }

        /** Writes {@code r} as the connection's one JSON line, then closes it. */
        private static void reply(ChannelHandlerContext ctx, Reply r) {
            try {
                ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(JSON.writeValueAsBytes(r)).writeByte('\n'))
                        .addListener(ChannelFutureListener.CLOSE);
            } catch (IOException e) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a line too long, a silent client: nothing to answer
        }
    }

    /**
     * What a request asks of {@code cluster} (null: a mirror) for the process of uid {@code peerUid},
     * as the kernel said it: the socket's SO_PEERCRED, or a trapped call's process
     * ({@link MountControl#inProcess}). Actions are logged here, on the host that forwards them.
     */
    static CompletableFuture<Reply> answer(Cluster cluster, Request request, int peerUid) {
        if (request.op() == null) return done(Errno.EINVAL, "no op");
        ClusterActions actions = cluster == null ? null : cluster.actions();
        if (request.op().equals("which")) {
            if (actions == null) return done(Errno.ESRCH, "this mount combines no hosts");
            ClusterActions.Location where = actions.which(request.pid());
            return CompletableFuture.completedFuture(new Reply(0, null, where.host(), where.localPid(), null));
        }
        int uid = peerUid;
        if (request.asUid() != null && request.asUid() != peerUid) {
            if (peerUid != 0) return done(Errno.EPERM, "only root may act for another uid");
            uid = request.asUid();
        }
        String user = ProcessCalls.nameOf(uid);
        if (user == null) return done(Errno.EPERM, "uid " + uid + " has no name on this host to map");
        if (actions == null) {
            return done(request.pid() > 0 && request.pid() < (1 << 22) ? Errno.EINVAL : Errno.ESRCH, "this mount combines no hosts");
        }
        CompletableFuture<Integer> result = switch (request.op()) {
            case "signal" -> request.signal() == null ? null : actions.signal(request.pid(), request.signal(), user, uid);
            case "setpriority" -> request.nice() == null ? null : actions.setPriority(request.pid(), request.nice(), user, uid);
            case "ioprio" -> actions.ioprioGet(request.pid());
            default -> null;
        };
        if (result == null) return done(Errno.EINVAL, "unknown op or missing argument: " + request.op());
        int asUid = uid;
        return result.thenApply(value -> {
            if (!request.op().equals("ioprio")) {
                ACTIONS_LOG.log(System.Logger.Level.INFO, () -> request.op() + " " + (request.signal() != null ? request.signal() : request.nice())
                        + " of " + request.pid() + " for " + RateLimitedLog.escaped(user) + " (uid " + Integer.toUnsignedString(asUid) + "): done");
            }
            return new Reply(0, value, null, null, null);
        });
    }

    private static CompletableFuture<Reply> done(int errno, String message) {
        return CompletableFuture.completedFuture(new Reply(errno, null, null, null, message));
    }

    static Reply failure(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        if (e instanceof ErrnoException r) return new Reply(r.errno(), null, null, null, e.getMessage());
        return new Reply(Errno.EIO, null, null, null, String.valueOf(e));
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        loops.shutdownGracefully();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // gone with /run at the latest
        }
    }
}
