package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/** First in an agent's pipeline: counts the bytes written to the socket (after TLS), one add per write. */
@ChannelHandler.Sharable
final class SentBytes extends ChannelOutboundHandlerAdapter {
    static final String NAME = "sent-bytes";
    private final AgentStats stats;

    SentBytes(AgentStats stats) {
        this.stats = stats;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) stats.sentBytes.add(b.readableBytes());
        else if (msg instanceof ByteBufHolder h) stats.sentBytes.add(h.content().readableBytes());
        ctx.write(msg, promise);
    }
}
