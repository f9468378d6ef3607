package io.procsys.net;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Whether a peer's certificate chain is one to trust now: it leads to a trusted CA (PKIX, at this
 * moment's date, so an expired certificate fails), and no revocation list of the CA file names a
 * certificate of it. The one check the TLS handshake makes, and the one an open connection is
 * checked against again: at each action on an agent, and for every connection after the TLS
 * files change (ReloadingTls), so a revoked or rotated certificate stops acting at once.
 */
public final class PeerTrust extends X509ExtendedTrustManager {
    private final List<X509Certificate> trusted;
    private final List<X509CRL> revocations;
    private final Clock clock;

    PeerTrust(List<X509Certificate> trusted, List<X509CRL> revocations, Clock clock) {
        this.trusted = List.copyOf(trusted);
        this.revocations = List.copyOf(revocations);
        this.clock = clock;
    }

    /** Why {@code chain} (the peer's own certificate first) is not to be trusted now, or null when it is. */
    public String problem(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) return "no certificate";
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate ca : trusted) anchors.add(new TrustAnchor(ca, null));
            List<X509Certificate> path = new ArrayList<>();
            for (X509Certificate c : chain) if (!trusted.contains(c)) path.add(c);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // the CA file's own lists, below: no fetching from the network
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return "certificate " + subject(chain[0]) + " does not validate: " + e.getMessage();
        }
        for (X509Certificate c : chain) {
            for (X509CRL crl : revocations) {
                if (crl.getIssuerX500Principal().equals(c.getIssuerX500Principal()) && crl.isRevoked(c)) {
                    return "certificate " + subject(c) + " (serial " + c.getSerialNumber().toString(16) + ") is revoked";
                }
            }
        }
        return null;
    }

    /**
     * The check of a context whose files never change (no CA or list can change): the chain's
     * dates only, so a certificate that expired during a connection stops acting.
     */
    public static String datesOnly(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) return "no certificate";
        for (X509Certificate c : chain) {
            try {
                c.checkValidity();
            } catch (CertificateException e) {
                return "certificate " + subject(c) + " is out of its validity: " + e.getMessage();
            }
        }
        return null;
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        String problem = problem(chain);
        if (problem != null) throw new CertificateException(problem);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trusted.toArray(X509Certificate[]::new);
    }
}
