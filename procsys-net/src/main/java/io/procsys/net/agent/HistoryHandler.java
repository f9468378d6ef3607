package io.procsys.net.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.protocol.HistoryHostList;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers History and HistoryHosts requests from the agent's {@link HistorySource} (none:
 * ENODATA, and an empty listing), on its slow work thread: a request reads a recording's files.
 * A client of a version before either sends none; one that did is refused.
 */
final class HistoryHandler extends SimpleChannelInboundHandler<Message> {
    private final Supplier<HistorySource> source;
    private final EventExecutorGroup work;
    private final AgentStats stats;

    HistoryHandler(Supplier<HistorySource> source, EventExecutorGroup work, AgentStats stats) {
        this.source = source;
        this.work = work;
        this.stats = stats;
    }

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof Message.History || msg instanceof Message.HistoryHosts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message request) {
        stats.requests.increment();
        Integer version = ctx.channel().attr(AgentHello.VERSION).get();
        HistorySource history = source.get();
        int oldest = request instanceof Message.History ? Message.HISTORY_VERSION : Message.HISTORY_HOSTS_VERSION;
        if (version == null || version < oldest) {
            ctx.writeAndFlush(new Message.Error(request.id(), Errno.EPROTO));
        } else if (request instanceof Message.HistoryHosts) {
            work.execute(() -> reply(ctx, request.id(), listing(history)));
        } else if (history == null) {
            ctx.writeAndFlush(new Message.Error(request.id(), Errno.ENODATA));
        } else {
            Message.History h = (Message.History) request;
            work.execute(() -> reply(ctx, h.id(), called(() -> history.history(h.host(), h.fromMillis(), h.toMillis()))));
        }
    }

    /** The listing's bytes: none without a source. */
    private static CompletableFuture<byte[]> listing(HistorySource history) {
        if (history == null) return CompletableFuture.completedFuture(HistoryHostList.write(List.of()));
        return called(history::hosts).thenApply(HistoryHostList::write);
    }

    /** The future a source returns, or one failed with what it threw. */
    private static <T> CompletableFuture<T> called(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void reply(ChannelHandlerContext ctx, int id, CompletableFuture<byte[]> answer) {
        answer.whenComplete((bytes, error) -> {
            if (error == null) {
                ctx.writeAndFlush(new Message.Data(id, Unpooled.wrappedBuffer(bytes)));
            } else {
                Throwable e = ErrnoException.unwrapped(error);
                ctx.writeAndFlush(new Message.Error(id, e instanceof ErrnoException r ? r.errno() : Errno.EIO));
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
