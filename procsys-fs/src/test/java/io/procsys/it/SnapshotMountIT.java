package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A captured proc tree of another host (--proc-root) served as it is, links and malformed files included. */
class SnapshotMountIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static TestMount mounted;
    static Path mount;

    @BeforeAll
    static void mountSnapshot() throws IOException {
        mounted = new TestMount(FIXTURE);
        mount = mounted.path;
    }

    @AfterAll
    static void unmount() throws IOException {
        mounted.close();
    }

    @Test
    void everyFileLinkAndDirectoryIsServedAsCaptured() throws IOException {
        int files = 0, links = 0;
        try (Stream<Path> walk = Files.walk(FIXTURE)) {
            for (Path source : walk.toList()) {
                Path served = mount.resolve(FIXTURE.relativize(source).toString());
                assertEquals(Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS),
                        Files.getAttribute(served, "unix:mode", LinkOption.NOFOLLOW_LINKS), served.toString());
                if (Files.isSymbolicLink(source)) {
                    assertEquals(Files.readSymbolicLink(source), Files.readSymbolicLink(served), served.toString());
                    links++;
                } else if (Files.isRegularFile(source)) {
                    assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(served), served.toString());
                    files++;
                } else {
                    try (Stream<Path> a = Files.list(source); Stream<Path> b = Files.list(served)) {
                        assertEquals(a.map(p -> p.getFileName().toString()).sorted().toList(),
                                b.map(p -> p.getFileName().toString()).sorted().toList(), served.toString());
                    }
                }
            }
        }
        assertTrue(files >= 140 && links >= 18, files + " files, " + links + " links");
    }

    @Test
    void linksPointingOutsideAreTextOnly() throws IOException {
        assertEquals(Path.of("/"), Files.readSymbolicLink(mount.resolve("26231/root")));
        assertEquals(Path.of("/usr/bin"), Files.readSymbolicLink(mount.resolve("26231/cwd")));
        // a captured tree keeps its own self
        assertEquals(Path.of("26231"), Files.readSymbolicLink(mount.resolve("self")));
    }

    @Test
    void malformedFilesAreServedUnchanged() throws IOException {
        for (String f : List.of("crypto_corrupted", "net/udp_broken", "net/softnet_stat.broken", "net/unix_without_inode")) {
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(f)), Files.readAllBytes(mount.resolve(f)), f);
        }
    }
}
