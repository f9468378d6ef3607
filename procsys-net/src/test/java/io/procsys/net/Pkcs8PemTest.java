package io.procsys.net;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class Pkcs8PemTest {
    private static byte[] pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void readsEveryKeyTypeOfATlsCertificate() throws Exception {
        for (String algorithm : new String[]{"EC", "RSA", "Ed25519"}) {
            PrivateKey key = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate();
            PrivateKey read = Pkcs8Pem.read(pem("PRIVATE KEY", key.getEncoded()));
            assertArrayEquals(key.getEncoded(), read.getEncoded(), algorithm);
            assertEquals(key.getAlgorithm(), read.getAlgorithm(), algorithm);
        }
    }

    @Test
    void leavesOtherFormsToBouncyCastle() throws Exception {
        byte[] der = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate().getEncoded();
        assertNull(Pkcs8Pem.read(pem("EC PRIVATE KEY", der)), "SEC1 label");
        assertNull(Pkcs8Pem.read(pem("ENCRYPTED PRIVATE KEY", der)), "encrypted");
        byte[] two = (new String(pem("PRIVATE KEY", der), StandardCharsets.US_ASCII) + new String(pem("PRIVATE KEY", der), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        assertNull(Pkcs8Pem.read(two), "two keys");
        assertNull(Pkcs8Pem.read(pem("PRIVATE KEY", new byte[]{1, 2, 3})), "not DER");
        assertNull(Pkcs8Pem.read("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII)), "not base64");
    }
}
