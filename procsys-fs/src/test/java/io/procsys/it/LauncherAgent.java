package io.procsys.it;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An agent process as operators start one: the launcher, mutual TLS with certificates from
 * `procsys certs` (the agent's and the mount's), a free loopback port, metrics on another;
 * returned once it says it is ready.
 */
record LauncherAgent(Process process, int port, Path certs, String metricsUrl) implements AutoCloseable {
    /** Agent {@code name} over {@code procRoot}, with certificates for it and for the mount {@code mountName}. */
    static LauncherAgent start(String name, String mountName, Path procRoot) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path certs = Files.createTempDirectory("procsys-" + name + "-certs-");
        Commands.Result issued = Commands.procsys("certs", "--out", certs.toString(), name, mountName);
        assertEquals(0, issued.exit(), issued.all());
        Process agent = new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--name", name,
                "--certs-dir", certs.toString(), "--warmup", "0", "--proc-root", procRoot.toString(), "--metrics-listen", "127.0.0.1:0")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new LauncherAgent(agent, port, certs, MetricsIT.readyUrl(agent));
    }

    /** Stops the agent and removes its certificates. */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        try (var files = Files.list(certs)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(certs);
    }
}
