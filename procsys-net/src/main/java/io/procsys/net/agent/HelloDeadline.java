package io.procsys.net.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not completed its hello (TLS handshake included) within a fixed
 * time of connecting. Unlike an idle timeout it is not reset by incoming bytes, so a client
 * dripping one byte at a time cannot hold a connection open. Removed once the hello is done.
 */
final class HelloDeadline extends ChannelInboundHandlerAdapter {
    static final String NAME = "hello-deadline";
    private final long millis;
    private final AgentStats stats;
    private ScheduledFuture<?> expiry;

    HelloDeadline(long millis, AgentStats stats) {
        this.millis = millis;
        this.stats = stats;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        expiry = ctx.executor().schedule(() -> {
            stats.refusedPeers.increment();
            Failures.logOnce("no hello within " + millis + " ms", ctx);
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (expiry != null) expiry.cancel(false);
    }
}
