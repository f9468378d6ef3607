package io.procsys.net.agent;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;

/**
 * The agent's side of the hello: the first frame must be a Hello of a protocol version this agent
 * speaks ({@link Message#OLDEST_PROTOCOL_VERSION} to {@link Message#PROTOCOL_VERSION}); the
 * Welcome answers in the client's version. A client of an older version sends no request it
 * does not know (version 1 has no Table, 2 no actions).
 */
final class AgentHello extends SimpleChannelInboundHandler<Message> {
    /** The protocol version the connection speaks, once its hello is done. */
    static final io.netty.util.AttributeKey<Integer> VERSION = io.netty.util.AttributeKey.valueOf("procsys.version");
    private static final System.Logger LOG = System.getLogger("io.procsys.net.agent");
    private final String node;
    private final AgentStats stats;
    /** What the Welcome tells of this agent's own waits for the hosts below it (TableSource.waitsMillis). */
    private final java.util.function.LongSupplier waits;

    AgentHello(String node, AgentStats stats, java.util.function.LongSupplier waits) {
        this.node = node;
        this.stats = stats;
        this.waits = waits;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        if (msg instanceof Message.Hello hello && spoken(hello.version())) {
            ctx.channel().attr(VERSION).set(hello.version());
            long told = Math.min(Math.max(0, waits.getAsLong()), Message.MAX_WAITS_MILLIS);
            ctx.writeAndFlush(new Message.Welcome(hello.version(), node, told));
            ctx.pipeline().remove(HelloDeadline.NAME);
            ctx.pipeline().remove(this);
            return;
        }
        stats.refusedPeers.increment();
        LOG.log(System.Logger.Level.WARNING, "refused " + ctx.channel().remoteAddress() + ": "
                + (msg instanceof Message.Hello h ? "protocol version " + h.version() + ", this agent speaks "
                + Message.OLDEST_PROTOCOL_VERSION + " to " + Message.PROTOCOL_VERSION
                : "first message was not a hello"));
        ctx.writeAndFlush(new Message.Error(msg.id(), Errno.EPROTO)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Counts the TLS handshake's outcome (the TLS handler tells the handlers after it; this one is there until the hello). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done) {
            (done.isSuccess() ? stats.tlsHandshakes : stats.tlsHandshakeFailures).increment();
        }
        ctx.fireUserEventTriggered(event);
    }

    static boolean spoken(int version) {
        return version >= Message.OLDEST_PROTOCOL_VERSION && version <= Message.PROTOCOL_VERSION;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
