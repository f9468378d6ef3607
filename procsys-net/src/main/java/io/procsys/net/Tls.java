package io.procsys.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * The parsed contents of a node's TLS files: its chain (its own certificate first), the key
     * that matches that certificate, the CA certificates it trusts (one or more: a bundle of the
     * old and the new CA while a CA is replaced), and the revocation lists the CA file carries
     * (PEM "X509 CRL" blocks beside the CA certificates, each signed by one of them).
     */
    public record Material(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted, List<X509CRL> revocations) {
        public X509Certificate certificate() {
            return chain.getFirst();
        }

        /** How peers are checked with these files (PeerTrust), on {@code clock}. */
        public PeerTrust trust(Clock clock) {
            return new PeerTrust(trusted, revocations, clock);
        }
    }

    private Tls() {}

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Reads and checks the files: every one parses, and the key is the certificate's. */
    public static Material read(Credentials files) throws IOException, GeneralSecurityException {
        return parse(Files.readAllBytes(files.certificate()), Files.readAllBytes(files.key()), Files.readAllBytes(files.trustedCa()),
                files);
    }

    /** As {@link #read(Credentials)}, from contents already read ({@code files} names them in messages). */
    static Material parse(byte[] certificate, byte[] key, byte[] trustedCa, Credentials files) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certificate, files.certificate());
        PrivateKey privateKey = privateKey(key, files.key());
        String caText = new String(trustedCa, StandardCharsets.US_ASCII);
        List<X509Certificate> trusted = certificates(CRL_BLOCK.matcher(caText).replaceAll("").getBytes(StandardCharsets.US_ASCII), files.trustedCa());
        List<X509CRL> revocations = revocationLists(caText, trusted, files.trustedCa());
        if (!matches(privateKey, chain.getFirst())) {
            throw new GeneralSecurityException("the key in " + files.key() + " is not the key of the certificate in " + files.certificate());
        }
        return new Material(chain, privateKey, trusted, revocations);
    }

    private static final Pattern CRL_BLOCK = Pattern.compile("-----BEGIN X509 CRL-----[A-Za-z0-9+/=\\s]*-----END X509 CRL-----");

    /** The revocation lists among the CA file's PEM blocks, each signed by a trusted CA (or the files are refused). */
    private static List<X509CRL> revocationLists(String caText, List<X509Certificate> trusted, Path file) throws GeneralSecurityException {
        List<X509CRL> lists = new ArrayList<>();
        Matcher m = CRL_BLOCK.matcher(caText);
        while (m.find()) {
            X509CRL crl;
            try {
                crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.cert.CRLException e) {
                throw new GeneralSecurityException("a revocation list in " + file + " does not parse (" + e.getMessage() + ")");
            }
            if (trusted.stream().noneMatch(ca -> signedBy(crl, ca))) {
                throw new GeneralSecurityException("a revocation list in " + file + " (issuer " + crl.getIssuerX500Principal().getName()
                        + ") is not signed by a CA of that file");
            }
            lists.add(crl);
        }
        return lists;
    }

    private static boolean signedBy(X509CRL crl, X509Certificate ca) {
        if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) return false;
        try {
            crl.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<X509Certificate> certificates(byte[] pem, Path file) throws GeneralSecurityException {
        try {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .stream().map(c -> (X509Certificate) c).toList();
            if (certificates.isEmpty()) throw new GeneralSecurityException("no certificate in " + file);
            return certificates;
        } catch (CertificateException e) {
            throw new GeneralSecurityException("no valid certificate in " + file + " (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(byte[] pem, Path file) throws GeneralSecurityException {
        PrivateKey pkcs8 = Pkcs8Pem.read(pem);
        if (pkcs8 != null) return pkcs8;
        Object parsed;
        try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new GeneralSecurityException("no valid private key in " + file + " (" + e.getMessage() + ")");
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
            if (parsed instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
        } catch (IOException e) {
            throw new GeneralSecurityException("no valid private key in " + file + " (" + e.getMessage() + ")");
        }
        throw new GeneralSecurityException("no unencrypted private key in " + file);
    }

    /** Whether {@code key} signs what the certificate's public key verifies (the one check that works for every key type). */
    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true; // an unusual key type: left to the TLS library
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a key of another type than the certificate's
        }
    }

    public static SslContext server(Credentials files) throws SSLException {
        return server(load(files));
    }

    public static SslContext client(Credentials files) throws SSLException {
        return client(load(files));
    }

    private static Material load(Credentials files) throws SSLException {
        files.check();
        try {
            return read(files);
        } catch (IOException | GeneralSecurityException e) {
            throw new SSLException(e.getMessage(), e);
        }
    }

    public static SslContext server(Material material) throws SSLException {
        return SslContextBuilder.forServer(material.key(), material.chain().toArray(X509Certificate[]::new))
                .trustManager(material.trust(Clock.systemUTC()))
                .clientAuth(ClientAuth.REQUIRE)
                .sslProvider(provider())
                .protocols("TLSv1.3")
                .build();
    }

    public static SslContext client(Material material) throws SSLException {
        return SslContextBuilder.forClient()
                .keyManager(material.key(), material.chain().toArray(X509Certificate[]::new))
                .trustManager(material.trust(Clock.systemUTC()))
                // a peer is who the CA says it is, wherever it was dialled (an IP, a DNS name of
                // many agents): no host name check (Netty 4.2 would check the dialled name)
                .endpointIdentificationAlgorithm(null)
                .sslProvider(provider())
                .protocols("TLSv1.3")
                .build();
    }
}
