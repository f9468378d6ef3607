package io.procsys.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS between agents and clients: both sides present a certificate signed by the trusted
 * CA and refuse a peer that does not. OpenSSL (BoringSSL, netty-tcnative) when it loads, the
 * JDK's TLS otherwise. Peers are identified by the CA's signature, not by host name.
 */
public final class Tls {
    /** PEM files of one node: its certificate chain, its private key, the CA it trusts. */
    public record Credentials(Path certificate, Path key, Path trustedCa) {
        public void check() {
            for (Path p : new Path[]{certificate, key, trustedCa}) {
                if (!Files.isReadable(p)) throw new IllegalArgumentException("cannot read TLS file " + p);
            }
        }
    }

    private Tls() {}

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public static SslContext server(Credentials files) throws SSLException {
        files.check();
        return SslContextBuilder.forServer(files.certificate().toFile(), files.key().toFile())
                .trustManager(files.trustedCa().toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .sslProvider(provider())
                .protocols("TLSv1.3")
                .build();
    }

    public static SslContext client(Credentials files) throws SSLException {
        files.check();
        return SslContextBuilder.forClient()
                .keyManager(files.certificate().toFile(), files.key().toFile())
                .trustManager(files.trustedCa().toFile())
                // a peer is who the CA says it is, wherever it was dialled (an IP, a DNS name of
                // many agents): no host name check (Netty 4.2 would check the dialled name)
                .endpointIdentificationAlgorithm(null)
                .sslProvider(provider())
                .protocols("TLSv1.3")
                .build();
    }
}
