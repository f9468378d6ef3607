package io.procsys.net.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.Certificates;
import io.procsys.net.log.RateLimitedLog;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * Answers the actions (signal, setpriority, ioprio_get) with {@link Actions}, on the agent's slow
 * work thread (a user lookup may ask a directory service). Who asks comes from the TLS session's
 * peer certificate: its CN names the viewer, its SAN the signal role; without TLS there is no
 * certificate and no role. Every signal and setpriority, done or refused, is logged, at most
 * {@link #LOG_LINES_PER_SECOND} lines a second (then a count of the lines dropped), names escaped.
 */
final class ActionHandler extends SimpleChannelInboundHandler<Message.Action> {
    private static final System.Logger LOG = System.getLogger("io.procsys.net.agent.actions");
    /** Every action is logged, up to this many lines a second: a viewer that floods gets a count of the lines dropped. */
    static final int LOG_LINES_PER_SECOND = 20;
    private static final RateLimitedLog ACTIONS_LOG = new RateLimitedLog(LOG, LOG_LINES_PER_SECOND);
    private final Actions actions;
    private final EventExecutorGroup work;
    private final AgentStats stats;
    private Actions.Requester requester;

    ActionHandler(Actions actions, EventExecutorGroup work, AgentStats stats) {
        this.actions = actions;
        this.work = work;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message.Action action) {
        stats.requests.increment();
        Integer version = ctx.channel().attr(AgentHello.VERSION).get();
        if (version == null || version < Message.ACTIONS_VERSION) {
            // a client of an older version sends none: whatever did, is refused
            ctx.writeAndFlush(new Message.Error(action.id(), Errno.EPROTO));
            return;
        }
        Actions.Requester who = requester(ctx);
        work.execute(() -> {
            Message.Reply reply;
            try {
                Actions.Outcome outcome = actions.run(action, who);
                if (outcome.log() != null) ACTIONS_LOG.log(System.Logger.Level.INFO, outcome::log);
                reply = outcome.reply();
            } catch (Throwable e) { // never out of the handler: the client gets EIO, the log the reason
                ACTIONS_LOG.log(System.Logger.Level.WARNING, () -> RateLimitedLog.escaped("action " + action + " failed: " + e));
                reply = new Message.Error(action.id(), Errno.EIO);
            }
            ctx.writeAndFlush(reply);
        });
    }

    /** The viewer as its certificate names it (once per connection: the session does not change). */
    private Actions.Requester requester(ChannelHandlerContext ctx) {
        if (requester != null) return requester;
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        Actions.Requester who = new Actions.Requester("insecure client " + ctx.channel().remoteAddress(), false);
        if (tls != null) {
            try {
                Certificate[] chain = tls.engine().getSession().getPeerCertificates();
                if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
                    who = new Actions.Requester(Certificates.commonName(cert), Certificates.hasSignalRole(cert));
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                who = new Actions.Requester("unverified client " + ctx.channel().remoteAddress(), false);
            }
        }
        requester = who;
        return who;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
