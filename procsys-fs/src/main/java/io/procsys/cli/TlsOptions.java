package io.procsys.cli;

import io.netty.handler.ssl.SslContext;
import io.procsys.daemon.UserError;
import io.procsys.net.Tls;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** TLS options shared by the commands that talk to other nodes: mutual TLS unless --insecure. */
final class TlsOptions {
    @Option(names = "--cert", paramLabel = "PEM", description = "This node's certificate (default: <certs-dir>/<name>.pem).")
    Path certificate;

    @Option(names = "--key", paramLabel = "PEM", description = "This node's private key, PKCS#8 (default: <certs-dir>/<name>-key.pem).")
    Path key;

    @Option(names = "--ca", paramLabel = "PEM", description = "The CA that signs every peer (default: <certs-dir>/ca.pem).")
    Path ca;

    @Option(names = "--certs-dir", paramLabel = "DIR", defaultValue = "/etc/procsys/certs",
            description = "Where 'procsys certs' put the files (default: ${DEFAULT-VALUE}).")
    Path certsDir;

    @Option(names = "--insecure", description = "Plaintext, no authentication. Only for tests on a trusted loopback.")
    boolean insecure;

    /** Values from a config file, used where no option was given. */
    void defaults(Path cert, Path key, Path ca, boolean insecureByConfig) {
        if (certificate == null) certificate = cert;
        if (this.key == null) this.key = key;
        if (this.ca == null) this.ca = ca;
        insecure |= insecureByConfig;
    }

    Tls.Credentials files(String node) {
        return new Tls.Credentials(certificate != null ? certificate : certsDir.resolve(node + ".pem"),
                key != null ? key : certsDir.resolve(node + "-key.pem"),
                ca != null ? ca : certsDir.resolve("ca.pem"));
    }

    /** The server context, or null with --insecure. */
    SslContext server(String node) {
        if (insecure) return null;
        try {
            return Tls.server(files(node));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (create them with 'procsys certs', or pass --insecure on a trusted loopback)");
        } catch (Exception e) {
            throw new UserError("cannot load the TLS files of " + node + ": " + e.getMessage());
        }
    }

    /** The client context, or null with --insecure. */
    SslContext client(String node) {
        if (insecure) return null;
        try {
            return Tls.client(files(node));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (create them with 'procsys certs', or pass --insecure on a trusted loopback)");
        } catch (Exception e) {
            throw new UserError("cannot load the TLS files of " + node + ": " + e.getMessage());
        }
    }
}
