package io.procsys.net;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * A small certificate authority for a quick start (`procsys certs`): an EC P-256 CA and node
 * certificates it signs, written as PEM ({@code ca.pem}, {@code NAME.pem}, {@code NAME-key.pem}).
 * Private keys are written readable by their owner only.
 */
public final class Certificates {
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final SecureRandom random = new SecureRandom();

    private Certificates(KeyPair caKeys, X509Certificate caCertificate) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A new CA named {@code name}, valid for {@code validity} from {@code notBefore}. */
    public static Certificates newAuthority(String name, Instant notBefore, Duration validity) throws GeneralSecurityException {
        KeyPair keys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(System.nanoTime()),
                Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new Certificates(keys, sign(builder.build(signer(keys))));
    }

    private static ContentSigner signer(KeyPair keys) throws GeneralSecurityException {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X509Certificate sign(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /**
     * The signal role (README "Acting on the cluster"): a node whose certificate carries this URI
     * among its subject alternative names may ask agents started with --allow-signals to signal
     * and renice their processes for its users. A SAN URI, not an extended key usage: it restricts
     * nothing else the certificate is used for, and any X.509 tool shows it.
     */
    public static final String SIGNAL_ROLE_URI = "urn:procsys:role:signal";

    /**
     * The tree-node role (docs/scale.md): a node whose certificate carries this URI is a tree node
     * for the mounts above it, which then honour the wait its Welcome announces for the hosts
     * below it (up to their --max-below-wait). Any other agent's announced wait is ignored.
     */
    public static final String NODE_ROLE_URI = "urn:procsys:role:node";

    /** Whether {@code certificate} carries the signal role. */
    public static boolean hasSignalRole(X509Certificate certificate) {
        return hasRole(certificate, SIGNAL_ROLE_URI);
    }

    /** Whether {@code certificate} carries the role {@code uri} among its subject alternative names. */
    public static boolean hasRole(X509Certificate certificate, String uri) {
        try {
            var names = certificate.getSubjectAlternativeNames();
            if (names == null) return false;
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(name.get(0))
                        && uri.equals(name.get(1))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** The CN of a certificate's subject (a node's name), or the whole subject if it has none. */
    public static String commonName(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        var cn = subject.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return cn.length > 0 ? org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(cn[0].getFirst().getValue()) : subject.toString();
    }

    /** A node certificate (server and client use) for {@code node}, with DNS/IP names for host-name checks. */
    public Issued issue(String node, List<String> hostNames, Instant notBefore, Duration validity) throws GeneralSecurityException {
        return issue(node, hostNames, false, notBefore, validity);
    }

    /** As {@link #issue(String, List, Instant, Duration)}, with the signal role ({@link #SIGNAL_ROLE_URI}) or not. */
    public Issued issue(String node, List<String> hostNames, boolean signalRole, Instant notBefore, Duration validity) throws GeneralSecurityException {
        return issue(node, hostNames, signalRole ? List.of(SIGNAL_ROLE_URI) : List.of(), notBefore, validity);
    }

    /** As {@link #issue(String, List, Instant, Duration)}, carrying the role URIs {@code roles} ({@link #SIGNAL_ROLE_URI}, {@link #NODE_ROLE_URI}). */
    public Issued issue(String node, List<String> hostNames, List<String> roles, Instant notBefore, Duration validity) throws GeneralSecurityException {
        KeyPair keys = newKeys();
        var builder = new JcaX509v3CertificateBuilder(caCertificate, new BigInteger(64, random).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notBefore.plus(validity)), new X500Name("CN=" + node), keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            List<GeneralName> names = new ArrayList<>();
            for (String h : hostNames) {
                names.add(new GeneralName((h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.contains(":")) ? GeneralName.iPAddress : GeneralName.dNSName, h));
            }
            for (String role : roles) names.add(new GeneralName(GeneralName.uniformResourceIdentifier, role));
            if (!names.isEmpty()) builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new Issued(node, keys, sign(builder.build(signer(caKeys))));
    }

    /** A key and certificate issued by this CA. */
    public record Issued(String node, KeyPair keys, X509Certificate certificate) {
        /** Writes NAME.pem and NAME-key.pem (PKCS#8) into {@code dir}; returns the TLS files of this node with {@code ca}. */
        public Tls.Credentials write(Path dir, Path ca) throws IOException {
            Path cert = dir.resolve(node + ".pem");
            Path key = dir.resolve(node + "-key.pem");
            Files.writeString(cert, pem(certificate));
            writePrivate(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
            return new Tls.Credentials(cert, key, ca);
        }
    }

    /**
     * A revocation list of this CA naming {@code serials}, valid from {@code thisUpdate} for
     * {@code validity}, as PEM ("X509 CRL"): appended to the CA file a node trusts, its
     * certificates are refused by new handshakes and, once the file is read again, by the
     * connections still open (PeerTrust). `openssl ca -gencrl` writes the same.
     */
    public String revocationList(List<BigInteger> serials, Instant thisUpdate, Duration validity) throws GeneralSecurityException, IOException {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(new X500Name(caCertificate.getSubjectX500Principal().getName()), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(thisUpdate.plus(validity)));
        for (BigInteger serial : serials) builder.addCRLEntry(serial, Date.from(thisUpdate), CRLReason.keyCompromise);
        X509CRL crl = new JcaX509CRLConverter().getCRL(builder.build(signer(caKeys)));
        return pem(crl);
    }

    /** Writes ca.pem (and ca-key.pem) into {@code dir}; returns the path of ca.pem. */
    public Path writeAuthority(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, pem(caCertificate));
        writePrivate(dir.resolve("ca-key.pem"), pem(new JcaPKCS8Generator(caKeys.getPrivate(), null)));
        return ca;
    }

    private static void writePrivate(Path file, String pem) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem);
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
