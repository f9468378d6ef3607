package io.procsys.net;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * An unencrypted PKCS#8 private key in PEM ("BEGIN PRIVATE KEY", what {@code procsys certs} writes)
 * read with the JDK alone. Why not always BouncyCastle: its jars are signed, and opening them
 * makes the JVM parse and keep their 1.6 MB of manifests, which cost an agent several MB of heap
 * and start-up CPU for one key. Other forms (PKCS#1, SEC1, ...) are left to BouncyCastle.
 */
final class Pkcs8Pem {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
    /** The key types a TLS certificate can carry; a PKCS#8 key names its own, so only one accepts it. */
    private static final String[] ALGORITHMS = {"EC", "RSA", "EdDSA", "RSASSA-PSS"};

    private Pkcs8Pem() {}

    /** The key, or null when {@code pem} is not one PKCS#8 key this JDK reads. */
    static PrivateKey read(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII).strip();
        if (!text.startsWith(BEGIN) || !text.endsWith(END) || text.indexOf(BEGIN, 1) >= 0) return null;
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(BEGIN.length(), text.length() - END.length()));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException another) {
                // a key of another type, or a type this JDK lacks: try the next
            }
        }
        return null;
    }
}
