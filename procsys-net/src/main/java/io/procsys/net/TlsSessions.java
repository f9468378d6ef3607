package io.procsys.net;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLPeerUnverifiedException;

/** What a connection's TLS session says of the other end. */
public final class TlsSessions {
    private TlsSessions() {}

    /** The chain the other end presented (its own certificate first); empty without TLS, or before the handshake. */
    public static X509Certificate[] peerChain(Channel channel) {
        SslHandler tls = channel == null ? null : channel.pipeline().get(SslHandler.class);
        if (tls == null) return new X509Certificate[0];
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return Arrays.stream(chain).filter(c -> c instanceof X509Certificate).toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException e) {
            return new X509Certificate[0];
        }
    }
}
