package io.procsys.it;

import io.procsys.daemon.MountService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A proc tree mounted through procsys in the test JVM, on a fresh temporary directory. */
final class TestMount implements AutoCloseable {
    final Path path;
    final MountService service;

    TestMount(Path procRoot) throws IOException {
        this(procRoot, null);
    }

    /** With a cluster (owned and closed by the mount), the mount also combines its peers. */
    TestMount(Path procRoot, io.procsys.fs.cluster.Cluster cluster) throws IOException {
        this(procRoot, cluster, List.of());
    }

    TestMount(Path procRoot, io.procsys.fs.cluster.Cluster cluster, List<String> options) throws IOException {
        path = Files.createTempDirectory("procsys-it-");
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        service = MountService.mount(procRoot, path, options, cluster);
        service.serveInBackground(8);
        if (cluster != null) ClusterMountIT.superviseExecs(service);
    }

    /** Unmounts, checking that no upcall threw and that the mount is gone. */
    @Override
    public void close() throws IOException {
        assertEquals(0, service.session().failures().total(), "no exception in any upcall: " + service.session().failures().byKind());
        service.close();
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + path + " "), "unmounted");
        Files.deleteIfExists(path);
    }
}
