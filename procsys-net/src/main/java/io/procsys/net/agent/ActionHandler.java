package io.procsys.net.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.channel.ChannelFutureListener;
import io.procsys.net.Certificates;
import io.procsys.net.TlsSessions;
import io.procsys.net.log.RateLimitedLog;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;

import java.security.cert.X509Certificate;
import java.util.function.Function;

/**
 * Answers the actions (signal, setpriority, ioprio_get) with {@link Actions}, on the agent's slow
 * work thread (a user lookup may ask a directory service). Who asks comes from the TLS session's
 * peer certificate: its CN names the viewer, its SAN the signal role; without TLS there is no
 * certificate and no role. The certificate is checked again at every action (PeerTrust, with the
 * TLS files as they are now): one revoked, expired or of a CA no longer trusted has no role, and
 * the connection is closed. Every signal and setpriority, done or refused, is logged, at most
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
    /** Why a chain is not to be trusted now, or null (ReloadingTls.problem, or PeerTrust.datesOnly for fixed files). */
    private final Function<X509Certificate[], String> trust;

    ActionHandler(Actions actions, EventExecutorGroup work, AgentStats stats, Function<X509Certificate[], String> trust) {
        this.actions = actions;
        this.work = work;
        this.stats = stats;
        this.trust = trust;
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
        String untrusted = untrusted(ctx);
        Actions.Requester who = untrusted != null ? new Actions.Requester(untrusted, false) : requester(ctx);
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
            var written = ctx.writeAndFlush(reply);
            if (untrusted != null) written.addListener(ChannelFutureListener.CLOSE); // refused, then closed
        });
    }

    /** The viewer as its certificate names it, with the signal role it carries. */
    private static Actions.Requester requester(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(SslHandler.class) == null) return new Actions.Requester("insecure client " + ctx.channel().remoteAddress(), false);
        X509Certificate[] chain = TlsSessions.peerChain(ctx.channel());
        if (chain.length == 0) return new Actions.Requester("unverified client " + ctx.channel().remoteAddress(), false);
        return new Actions.Requester(Certificates.commonName(chain[0]), Certificates.hasSignalRole(chain[0]));
    }

    /**
     * The viewer, named with why, when its certificate no longer validates now (revoked, expired,
     * of a CA no longer trusted): its action is refused as having no role, and the connection is
     * closed after the refusal. Null when it validates, or without TLS.
     */
    private String untrusted(ChannelHandlerContext ctx) {
        X509Certificate[] chain = TlsSessions.peerChain(ctx.channel());
        String problem = chain.length == 0 ? null : trust.apply(chain);
        if (problem == null) return null;
        String who = Certificates.commonName(chain[0]);
        LOG.log(System.Logger.Level.WARNING, "refusing an action of " + who + " and closing its connection: " + problem);
        return who + " (no longer trusted: " + problem + ")";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
