package io.procsys.fs.cluster;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.SignalMode;
import io.procsys.net.agent.TableSource;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.scope.ScopeState;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer under a scope whose agent is of protocol 6: never up (no request could be answered unscoped), and said why. */
class PeerScopeTest {
    /** An agent of protocol 6 as it answers hellos: EPROTO for a newer version, a Welcome in its own; it counts the requests it gets. */
    static Channel oldAgent(EventLoopGroup loops, AtomicInteger requests) throws InterruptedException {
        return new ServerBootstrap().group(loops).channel(Transport.serverChannel()).childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                Framing.install(ch.pipeline(), Framing.MAX_REQUEST_FRAME);
                ch.pipeline().addLast(new SimpleChannelInboundHandler<Message>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
                        if (msg instanceof Message.Hello h && h.version() > 6) {
                            ctx.writeAndFlush(new Message.Error(0, Errno.EPROTO)).addListener(ChannelFutureListener.CLOSE);
                        } else if (msg instanceof Message.Hello h) {
                            ctx.writeAndFlush(new Message.Welcome(h.version(), "old"));
                        } else {
                            requests.incrementAndGet();
                        }
                    }
                });
            }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Test
    void anAgentTooOldForAScopeIsLeftOutWithTheReason() throws Exception {
        EventLoopGroup loops = Transport.eventLoops(1);
        AtomicInteger requests = new AtomicInteger();
        Channel agent = oldAgent(loops, requests);
        try (Peer peer = new Peer("old", (InetSocketAddress) agent.localAddress(), null, "m", loops, Duration.ofMillis(500))) {
            PeerScope scope = new PeerScope(List.of("web.service"), Duration.ofMillis(500));
            peer.beforeUp(scope::onConnect).start();
            long until = System.currentTimeMillis() + 5_000;
            while (!peer.status().lastError().contains("protocol 6") && System.currentTimeMillis() < until) Thread.sleep(10);
            assertTrue(peer.status().lastError().contains("the agent speaks protocol 6, a scope needs " + io.procsys.net.protocol.Message.SCOPE_VERSION), peer.status().lastError());
            assertEquals(Peer.State.DOWN, peer.status().state());
            assertEquals(ScopeState.Outcome.REFUSED, scope.known().state().outcome());
            CompletionException refused = assertThrows(CompletionException.class, () -> peer.read("meminfo").join());
            assertEquals(Errno.EHOSTUNREACH, ((ErrnoException) refused.getCause()).errno(), "nothing is asked of it");
            assertEquals(0, requests.get(), "not one request reached the old agent");
        } finally {
            agent.close().sync();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A tree node (node --export combined) serves no scope: its connection is never up either. */
    @Test
    void aTreeNodeIsLeftOutToo() throws Exception {
        EventLoopGroup loops = Transport.eventLoops(1);
        TableSource node = (request, alloc) -> null;
        try (ProcTree proc = ProcTree.open(Path.of("/proc"));
             Agent agent = Agent.start(new InetSocketAddress("127.0.0.1", 0), "rack", new ExportedTree(proc), null, null, SignalMode.OFF, node);
             Peer peer = new Peer("rack", agent.address(), null, "m", loops, Duration.ofMillis(500))) {
            PeerScope scope = new PeerScope(List.of("web.service"), Duration.ofMillis(500));
            peer.beforeUp(scope::onConnect).start();
            long until = System.currentTimeMillis() + 5_000;
            while (!peer.status().lastError().contains("tree node") && System.currentTimeMillis() < until) Thread.sleep(10);
            assertTrue(peer.status().lastError().contains("the agent did not take the scope: a tree node"), peer.status().lastError());
            assertEquals(Peer.State.DOWN, peer.status().state());
            assertEquals(ScopeState.Outcome.REFUSED, scope.known().state().outcome());
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
