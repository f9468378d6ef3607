package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.scope.ScopeState;
import io.procsys.scope.ScopedHost;
import io.procsys.scope.Scopes;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A connection's scope (protocol 8, docs/scope.md). On a Scope message the connection's request
 * handler is replaced by one over the tree as the scope shows it (its processes only) whose
 * scoped files come from the scope; actions on a process outside the scope answer ESRCH, as for
 * a process that does not exist. Before any Scope, everything passes through unchanged.
 */
final class ScopeHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "scope";
    private final Scopes scopes;
    private final String refusal;
    private final EventExecutorGroup work;
    /** The request handler for a scope's tree and files (made by the agent, which owns the shared tables). */
    private final Function<ScopedHost, RequestHandler> requestsFor;
    private final AgentStats stats;
    private volatile ScopedHost scope;

    /** {@code scopes} null: scopes are refused for {@code refusal} (a tree node). */
    ScopeHandler(Scopes scopes, String refusal, EventExecutorGroup work, Function<ScopedHost, RequestHandler> requestsFor, AgentStats stats) {
        this.scopes = scopes;
        this.refusal = refusal;
        this.work = work;
        this.requestsFor = requestsFor;
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Message.Scope s) {
            stats.requests.increment();
            work.execute(() -> ctx.writeAndFlush(scope(ctx, s)));
            return;
        }
        ScopedHost current = scope;
        if (current != null && msg instanceof Message.Action a && !current.visible(a.pid())) {
            stats.requests.increment();
            ctx.writeAndFlush(new Message.Error(a.id(), Errno.ESRCH)); // not in the scope: as if it did not exist
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Sets the connection's scope (or asks its state again) and answers with its state here. */
    private Message scope(ChannelHandlerContext ctx, Message.Scope s) {
        if (scopes == null) return new Message.ScopeReply(s.id(), ScopeState.leftOut(ScopeState.Outcome.REFUSED, "", refusal));
        try {
            ScopedHost wanted = scopes.of(s.specs());
            if (wanted != scope) {
                ctx.pipeline().replace(RequestHandler.class, "requests", requestsFor.apply(wanted));
                scope = wanted;
            }
            return new Message.ScopeReply(s.id(), wanted.state());
        } catch (IllegalArgumentException e) {
            Failures.logOnce("refused a scope (" + e.getMessage() + ")", ctx);
            return new Message.Error(s.id(), Errno.EINVAL);
        } catch (RuntimeException e) {
            Failures.logOnce("scope failed (" + e + ")", ctx);
            return new Message.Error(s.id(), Errno.EIO);
        }
    }

    /** A scope's files as a request handler's file source: rendered on {@code work}, never the host's. */
    static FileSource files(ScopedHost scope, EventExecutorGroup work) {
        return (path, alloc) -> !ScopedHost.renders(path) ? null : CompletableFuture.supplyAsync(() -> {
            byte[] text = scope.render(path).getBytes(StandardCharsets.ISO_8859_1);
            ByteBuf buf = alloc.directBuffer(text.length);
            return buf.writeBytes(text);
        }, work);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
