package io.procsys.cli;

import io.procsys.daemon.UserError;
import io.procsys.fs.identity.HostIndex;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClusterOptionsTest {
    @Test
    void morePeersThanHostIndicesIsAOneLineUserError() {
        List<String> args = new ArrayList<>(List.of("--insecure"));
        for (int i = 1; i <= HostIndex.MAX + 1; i++) args.addAll(List.of("--peer", "p" + i + "=127.0.0.1:7070"));
        args.add("/mnt/nowhere");
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs(args.toArray(String[]::new));
        UserError e = assertThrows(UserError.class, () -> mount.clusterOptions.cluster());
        assertEquals((HostIndex.MAX + 1) + " peers: a mount combines at most " + HostIndex.MAX + " other hosts", e.getMessage());
        assertEquals(2, e.exitCode());
    }

    static ClusterOptions options(String... args) {
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs(args);
        return mount.clusterOptions;
    }

    @Test
    void aBadScopeIsAOneLineUserError() {
        UserError e = assertThrows(UserError.class, () -> options("--scope", "/a/../b", "/mnt/nowhere").cluster());
        assertEquals("--scope '/a/../b': no '.' or '..' in a cgroup path", e.getMessage());
        assertEquals(2, e.exitCode());
        assertThrows(UserError.class, () -> options("--scope", "web", "/mnt/nowhere").cluster());
    }

    /** A scope alone is a view of this host: no peer, no TLS file needed. */
    @Test
    void aScopeWithoutPeersIsAViewOfThisHost(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (var cluster = options("--scope", "web.service", "--cgroup-root", dir.toString(), "/mnt/nowhere").cluster()) {
            assertEquals(true, cluster.scoped());
            assertEquals(List.of(), cluster.peers());
        }
        java.nio.file.Path config = dir.resolve("procsys.yaml");
        java.nio.file.Files.writeString(config, "scope: [web.service, \"k8s=shop/web-*\"]\n");
        try (var cluster = options("--config", config.toString(), "/mnt/nowhere").cluster()) {
            assertEquals(true, cluster.scoped(), "scope: from the config");
        }
        assertEquals(null, options("/mnt/nowhere").cluster(), "nothing to combine, no scope: a plain mirror");
    }
}
