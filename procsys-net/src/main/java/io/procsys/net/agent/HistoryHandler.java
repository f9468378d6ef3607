package io.procsys.net.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers History requests from the agent's {@link HistorySource} (none: ENODATA), on its slow
 * work thread: a request reads a recording's files. A client of a version before History sends
 * none; one that did is refused.
 */
final class HistoryHandler extends SimpleChannelInboundHandler<Message.History> {
    private final Supplier<HistorySource> source;
    private final EventExecutorGroup work;
    private final AgentStats stats;

    HistoryHandler(Supplier<HistorySource> source, EventExecutorGroup work, AgentStats stats) {
        this.source = source;
        this.work = work;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message.History request) {
        stats.requests.increment();
        Integer version = ctx.channel().attr(AgentHello.VERSION).get();
        HistorySource history = source.get();
        if (version == null || version < Message.HISTORY_VERSION || history == null) {
            ctx.writeAndFlush(new Message.Error(request.id(), history == null ? Errno.ENODATA : Errno.EPROTO));
            return;
        }
        work.execute(() -> {
            CompletableFuture<byte[]> batch;
            try {
                batch = history.history(request.host(), request.fromMillis(), request.toMillis());
            } catch (Throwable e) {
                batch = CompletableFuture.failedFuture(e);
            }
            batch.whenComplete((bytes, error) -> {
                if (error == null) {
                    ctx.writeAndFlush(new Message.Data(request.id(), Unpooled.wrappedBuffer(bytes)));
                } else {
                    Throwable e = ErrnoException.unwrapped(error);
                    ctx.writeAndFlush(new Message.Error(request.id(), e instanceof ErrnoException r ? r.errno() : Errno.EIO));
                }
            });
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
