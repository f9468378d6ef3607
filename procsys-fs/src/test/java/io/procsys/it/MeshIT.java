package io.procsys.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two `procsys node` processes in a mesh: each exports its own tree and mounts the other. */
class MeshIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();

    static Process node(String name, int port, String peer, int peerPort, Path root, Path mount) throws IOException {
        return new ProcessBuilder(Commands.launcher().toString(), "node", "--name", name, "--listen", "127.0.0.1:" + port,
                "--peer", peer + "=127.0.0.1:" + peerPort, "--insecure", "--proc-root", root.toString(), mount.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void everyNodeSeesTheWholeMesh() throws Exception {
        int portA = ClusterMountIT.freePortBelowEphemeralRange(), portB = portA + 1;
        Path mountA = Files.createTempDirectory("procsys-mesh-a-"), mountB = Files.createTempDirectory("procsys-mesh-b-");
        Process a = node("a", portA, "b", portB, Path.of("/proc"), mountA);
        Process b = node("b", portB, "a", portA, FIXTURE, mountB);
        try {
            long expected = ClusterMountIT.memTotalKb(Files.readString(Path.of("/proc/meminfo")))
                    + ClusterMountIT.memTotalKb(Files.readString(FIXTURE.resolve("meminfo")));
            for (Path m : List.of(mountA, mountB)) {
                ClusterMountIT.waitFor(() -> {
                    try {
                        return ClusterMountIT.memTotalKb(Files.readString(m.resolve("meminfo"))) == expected;
                    } catch (IOException e) {
                        return false;
                    }
                }, 30_000, "the mesh combined on " + m);
                assertEquals(List.of("a", "b"), ClusterMountIT.names(m.resolve("hosts")));
            }
            assertEquals(Files.readString(FIXTURE.resolve("loadavg")), Files.readString(mountA.resolve("hosts/b/loadavg")));
        } finally {
            a.destroy();
            b.destroy();
            assertTrue(a.waitFor() >= 0 && b.waitFor() >= 0);
        }
        assertTrue(!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountA + " ")
                && !Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountB + " "), "both nodes unmounted on SIGTERM");
        Files.deleteIfExists(mountA);
        Files.deleteIfExists(mountB);
    }
}
