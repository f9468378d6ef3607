package io.procsys.daemon.intercept;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.procsys.daemon.RemoteActions;
import io.procsys.daemon.RunFiles;
import io.procsys.fs.cluster.SysViews;
import io.procsys.net.Transport;
import io.procsys.posix.Seccomp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The mount's daemon as the supervisor of `procsys exec` commands (docs/architecture.md, "Calls
 * procsys exec intercepts"): no JVM starts per command. A unix socket beside the mount, root's
 * only; per connection:
 * <ol>
 * <li>the daemon writes the command's namespace plan ({@link #namespacePlan}) and the filter
 *     ({@link InterceptFilter#program()}), each as a 4-byte little-endian length and its bytes;</li>
 * <li>the client (the launcher's {@code intercept-exec.py}, in the command's process) makes its
 *     private mount namespace by the plan, installs the filter with a new listener and sends the
 *     listener (SCM_RIGHTS, one byte of data);</li>
 * <li>the daemon checks it is a seccomp listener, starts a {@link Supervisor} on it and answers
 *     {@link #TAKEN}; the client then execs the command, which inherits the filter.</li>
 * </ol>
 * A supervisor ends when every filtered task is gone (POLLHUP), or when the mount stops; if the
 * daemon dies, the kernel answers every trapped call ENOSYS. The caller's uid is read from the
 * trapped process (the kernel's), never from the client.
 */
public final class InterceptEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.daemon.intercept");
    /** The daemon's answer once a supervisor runs on the listener it was sent. */
    public static final byte TAKEN = 'K';
    /** A client that has not sent its listener by then is gone (it has only to make one system call). */
    private static final long CLIENT_WAIT_MILLIS = 10_000;
    private static final String LISTENER_LINK = "anon_inode:seccomp notify";

    private final Path socket;
    private final EventLoopGroup loops;
    private final Set<Supervisor> running = ConcurrentHashMap.newKeySet();
    /** Set once bound. */
    private Channel server;

    private InterceptEndpoint(Path socket, EventLoopGroup loops) {
        this.socket = socket;
        this.loops = loops;
    }

    public static Path socketFor(Path mountpoint) {
        return RunFiles.socket("intercept", mountpoint);
    }

    /**
     * Listens beside the cluster view at {@code mountpoint}, answering trapped calls from it and
     * {@code actions}. IOException where this kernel or Netty cannot (then `procsys exec` starts a
     * JVM to supervise, as before).
     */
    public static InterceptEndpoint start(Path mountpoint, RemoteActions actions) throws IOException {
        return start(mountpoint, actions, socketFor(mountpoint));
    }

    /** As {@link #start(Path, RemoteActions)}, on the socket at {@code socket} (tests: a second supervisor of one mount). */
    public static InterceptEndpoint start(Path mountpoint, RemoteActions actions, Path socket) throws IOException {
        return start(mountpoint, actions, socket, false);
    }

    /** As {@link #start(Path, RemoteActions)}; with {@code ownAffinity} (a view of one scope) the caller's own sched_getaffinity is answered too. */
    public static InterceptEndpoint start(Path mountpoint, RemoteActions actions, boolean ownAffinity) throws IOException {
        return start(mountpoint, actions, socketFor(mountpoint), ownAffinity);
    }

    private static InterceptEndpoint start(Path mountpoint, RemoteActions actions, Path socket, boolean ownAffinity) throws IOException {
        int[] sizes = Seccomp.notifSizes();
        if (sizes == null) {
            throw new IOException("seccomp(2) refused SECCOMP_GET_NOTIF_SIZES: Linux 5.0 or newer is needed, and a sandbox that allows seccomp"
                    + " (a systemd unit's SystemCallFilter= must list it)");
        }
        if (!Epoll.isAvailable()) throw new IOException("Netty's epoll transport is unavailable: " + Epoll.unavailabilityCause());
        RunFiles.claim(socket);
        InterceptEndpoint endpoint = new InterceptEndpoint(socket, Transport.eventLoops(1));
        byte[] plan = namespacePlan(mountpoint.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8);
        byte[] program = InterceptFilter.program(ownAffinity);
        MountView view = new MountView(mountpoint); // one for every command: its sysinfo is shared (SysinfoCache)
        try {
            endpoint.server = RunFiles.bindPrivately(() -> new ServerBootstrap().group(endpoint.loops).channel(EpollServerDomainSocketChannel.class)
                    .childOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                    .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                        @Override
                        protected void initChannel(EpollDomainSocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(CLIENT_WAIT_MILLIS, TimeUnit.MILLISECONDS),
                                    endpoint.new ListenerHandoff(plan, program, view, actions, sizes));
                        }
                    }).bind(new DomainSocketAddress(socket.toString())).sync().channel());
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            return endpoint;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endpoint.loops.shutdownGracefully();
            throw new IOException("interrupted");
        } catch (Exception e) {
            endpoint.loops.shutdownGracefully();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the command's private mount namespace gets before its filter, as the shell scripts of
     * {@code ExecCommand} do on the JVM's road: this host's real directories that the {@code .sys}
     * views replace, bound on a tmpfs where the views' links lead, each view over its directory,
     * then the mount over /proc. One operation per line, fields split by tabs: {@code mkdir DIR},
     * {@code tmpfs DIR}, {@code bind FROM TO}.
     */
    static String namespacePlan(Path mountpoint) {
        String host = SysViews.HOST_DIRECTORIES;
        StringBuilder plan = new StringBuilder().append("mkdir\t").append(host).append('\n').append("tmpfs\t").append(host).append('\n');
        SysViews.REPLACED.forEach((view, real) -> plan.append("mkdir\t").append(host).append('/').append(view).append('\n')
                .append("bind\t").append(real).append('\t').append(host).append('/').append(view).append('\n')
                .append("bind\t").append(mountpoint.resolve(SysViews.DIRECTORY).resolve(view)).append('\t').append(real).append('\n'));
        return plan.append("bind\t").append(mountpoint).append("\t/proc\n").toString();
    }

    /** Supervisors running now (one per command still alive): tests count them. */
    public int running() {
        return running.size();
    }

    /** Stops listening and every supervisor: calls still trapped get ENOSYS from the kernel. */
    @Override
    public void close() {
        if (server != null) server.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        for (Supervisor supervisor : running) supervisor.stop();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the directory is /run's: gone at the next boot
        }
    }

    /** One connection: the plan and the program out, one listener in, one byte back. */
    private final class ListenerHandoff extends ChannelInboundHandlerAdapter {
        private final byte[] plan;
        private final byte[] program;
        private final MountView view;
        private final RemoteActions actions;
        private final int[] sizes;
        private boolean taken;

        ListenerHandoff(byte[] plan, byte[] program, MountView view, RemoteActions actions, int[] sizes) {
            this.plan = plan;
            this.program = program;
            this.view = view;
            this.actions = actions;
            this.sizes = sizes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!fromRoot(ctx)) {
                ctx.close(); // only root installs filters for the daemon to answer (the socket is 0600, and this checks it)
                return;
            }
            ByteBuf out = ctx.alloc().buffer(8 + plan.length + program.length)
                    .writeIntLE(plan.length).writeBytes(plan).writeIntLE(program.length).writeBytes(program);
            ctx.writeAndFlush(out);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (!(message instanceof FileDescriptor received)) {
                io.netty.util.ReferenceCountUtil.release(message);
                return;
            }
            int fd = received.intValue();
            if (taken || !isListener(fd)) {
                Seccomp.close(fd);
                ctx.close();
                return;
            }
            taken = true;
            Supervisor supervisor = new Supervisor(fd, new CallAnswerer(view, actions), sizes);
            running.add(supervisor);
            Thread.ofPlatform().daemon().name("procsys-intercept-" + fd).start(() -> {
                try {
                    supervisor.run();
                } finally {
                    running.remove(supervisor);
                }
            });
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(TAKEN)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, "an intercept client: " + cause);
            ctx.close(); // a client that sent nothing in time, or went away
        }
    }

    /** Whether the client is root, as the kernel says (SO_PEERCRED). */
    private static boolean fromRoot(ChannelHandlerContext ctx) {
        try {
            return ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().uid() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the kernel calls a seccomp listener's file (anon_inode_getfd's name). */
    private static boolean isListener(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals(LISTENER_LINK);
        } catch (IOException e) {
            return false;
        }
    }
}
