package io.procsys.net.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.Transport;
import io.procsys.net.protocol.Framing;
import io.procsys.tree.ExportedTree;

import java.net.InetSocketAddress;

/**
 * Exports one proc tree, read-only, to clients over the procsys protocol. Pipeline per
 * connection: [TLS] → handshake timeout → framing (requests ≤ 16 KiB) → codec → hello → requests.
 * File system work runs on a small separate executor so a slow /proc read never stalls I/O.
 */
public final class Agent implements AutoCloseable {
    static final int HANDSHAKE_SECONDS = 10;

    private final EventLoopGroup boss = Transport.eventLoops(1);
    // one I/O thread and two for /proc reads: an agent answers a few clients with small files
    private final EventLoopGroup workers = Transport.eventLoops(1);
    private final EventExecutorGroup fileWork = new DefaultEventExecutorGroup(2);
    private final Channel server;
    private final AgentStats stats = new AgentStats();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private Agent(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        stats.connections.increment();
                        connections.add(ch);
                        if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast("handshake-timeout", new ReadTimeoutHandler(HANDSHAKE_SECONDS));
                        Framing.install(ch.pipeline(), Framing.MAX_REQUEST_FRAME);
                        ch.pipeline().addLast("hello", new AgentHello(node, stats));
                        ch.pipeline().addLast(fileWork, "requests", new RequestHandler(tree, stats));
                    }
                });
        server = b.bind(listen).sync().channel();
    }

    /** Binds and starts serving; throws with the OS's reason when the address cannot be bound. */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls) throws InterruptedException {
        return new Agent(listen, node, tree, tls);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public AgentStats stats() {
        return stats;
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        fileWork.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
