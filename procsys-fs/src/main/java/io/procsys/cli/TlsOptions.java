package io.procsys.cli;

import io.netty.handler.ssl.SslContext;
import io.procsys.daemon.UserError;
import io.procsys.net.ReloadingTls;
import io.procsys.net.Tls;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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

    @Option(names = "--tls-reload-seconds", paramLabel = "SECONDS", defaultValue = "5",
            description = "How often the certificate, key and CA files are checked for new contents, used by new connections "
                    + "(default: ${DEFAULT-VALUE}; 0: read once). Files that do not parse, or a key that is not the certificate's, are not used.")
    long reloadSeconds;

    /** The files in use, each set loaded once per process (a node's agent and mount share them) and watched. */
    private final Map<Tls.Credentials, ReloadingTls> loaded = new HashMap<>();

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

    /** The server context (it follows the files as they change), or null with --insecure. */
    SslContext server(String node) {
        return insecure ? null : credentials(node).server();
    }

    /** The client context (it follows the files as they change), or null with --insecure. */
    SslContext client(String node) {
        return insecure ? null : credentials(node).client();
    }

    /** This node's TLS files, read and watched from the first call on; null with --insecure. */
    synchronized ReloadingTls credentials(String node) {
        if (insecure) return null;
        Tls.Credentials files = files(node);
        ReloadingTls watched = loaded.get(files);
        if (watched != null) return watched;
        if (reloadSeconds < 0 || reloadSeconds > 86_400) throw new UserError("--tls-reload-seconds must be between 0 and 86400", 2);
        try {
            watched = ReloadingTls.load(files).start(Duration.ofSeconds(reloadSeconds));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (create them with 'procsys certs', or pass --insecure on a trusted loopback)");
        } catch (Exception e) {
            throw new UserError("cannot load the TLS files of " + node + ": " + e.getMessage());
        }
        loaded.put(files, watched);
        return watched;
    }
}
