package io.procsys.net.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

import javax.net.ssl.SSLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What an agent does with a connection that misbehaves: close it, count it, log each kind once. */
final class Failures {
    private static final System.Logger LOG = System.getLogger("io.procsys.net.agent");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private Failures() {}

    static void closeOn(ChannelHandlerContext ctx, Throwable cause, AgentStats stats) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String kind;
        if (root instanceof SSLException || cause instanceof SSLException) {
            stats.refusedPeers.increment();
            kind = "TLS handshake refused";
        } else if (root instanceof TooLongFrameException || cause instanceof DecoderException) {
            stats.badFrames.increment();
            kind = "malformed frame";
        } else {
            kind = root.getClass().getSimpleName();
        }
        logOnce(kind + " (" + root.getMessage() + ")", ctx);
        ctx.close();
    }

    /** Logs the first case of each kind (the text up to " ("); later ones are only counted. */
    static void logOnce(String what, ChannelHandlerContext ctx) {
        int detail = what.indexOf(" (");
        if (LOGGED.add(detail < 0 ? what : what.substring(0, detail))) {
            LOG.log(System.Logger.Level.WARNING, "closing " + ctx.channel().remoteAddress() + ": " + what
                    + "; further cases of this kind are counted, not logged");
        }
    }
}
