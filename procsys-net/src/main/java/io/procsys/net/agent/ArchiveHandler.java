package io.procsys.net.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.Certificates;
import io.procsys.net.TlsSessions;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.security.cert.X509Certificate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers ArchiveWhere and ArchivePart from the agent's {@link ArchiveSink} (none: EPERM, the
 * agent accepts no archives), on its slow work thread (a part may write and sync a block). The
 * host a block is filed under is the common name of the connection's peer certificate, checked
 * again at every message: a peer without one, or whose chain no longer validates, is refused.
 */
final class ArchiveHandler extends SimpleChannelInboundHandler<Message> {
    private final Supplier<ArchiveSink> sink;
    /** One thread of the work group for the connection: its parts are taken in order. */
    private final EventExecutor work;
    private final AgentStats stats;
    private final Function<X509Certificate[], String> trust;
    /** This connection's upload (opened at its first message, on the work thread). */
    private ArchiveSink.Upload upload;

    ArchiveHandler(Supplier<ArchiveSink> sink, EventExecutorGroup work, AgentStats stats, Function<X509Certificate[], String> trust) {
        this.sink = sink;
        this.work = work.next();
        this.stats = stats;
        this.trust = trust;
    }

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof Message.ArchiveWhere || msg instanceof Message.ArchivePart;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        stats.requests.increment();
        Integer version = ctx.channel().attr(AgentHello.VERSION).get();
        ArchiveSink archives = sink.get();
        String host = host(ctx);
        int refusal = version == null || version < Message.ARCHIVE_VERSION ? Errno.EPROTO : archives == null || host == null ? Errno.EPERM : 0;
        if (refusal != 0) {
            ctx.writeAndFlush(new Message.Error(msg.id(), refusal));
            return;
        }
        work.execute(() -> ctx.writeAndFlush(answer(archives, host, msg)));
    }

    /** The peer's certificate name while its chain validates, else null. */
    private String host(ChannelHandlerContext ctx) {
        X509Certificate[] chain = TlsSessions.peerChain(ctx.channel());
        return chain.length == 0 || trust.apply(chain) != null ? null : Certificates.commonName(chain[0]);
    }

    private Message.Reply answer(ArchiveSink archives, String host, Message msg) {
        try {
            if (upload == null) upload = archives.open(host);
            if (msg instanceof Message.ArchivePart p) {
                upload.part(p.entry(), p.offset(), p.part());
                return new Message.Done(p.id(), 0);
            }
            return new Message.Data(msg.id(), Unpooled.buffer(8).writeLong(upload.lastMillis()));
        } catch (Throwable e) { // never out of the handler: the pusher gets the errno, and retries
            Throwable cause = ErrnoException.unwrapped(e);
            return new Message.Error(msg.id(), cause instanceof ErrnoException r ? r.errno() : Errno.EIO);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        work.execute(() -> {
            if (upload != null) upload.close();
        });
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
