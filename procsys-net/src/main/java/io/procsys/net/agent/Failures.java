package io.procsys.net.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.ReadTimeoutException;

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
        } else if (root instanceof ReadTimeoutException) {
            stats.refusedPeers.increment();
            kind = "no hello in time";
        } else if (root instanceof TooLongFrameException || cause instanceof DecoderException) {
            stats.badFrames.increment();
            kind = "malformed frame";
        } else {
            kind = root.getClass().getSimpleName();
        }
        if (LOGGED.add(kind)) {
            LOG.log(System.Logger.Level.WARNING, "closing " + ctx.channel().remoteAddress() + ": " + kind + " (" + root.getMessage()
                    + "); further cases of this kind are counted, not logged");
        }
        ctx.close();
    }
}
