package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Libc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ways of opening beneath a root. This class, ExportedTreeTest, AgentTest and
 * ProcessTableTest run twice: in the JVM Maven starts, and in one started under a seccomp filter
 * that answers ENOSYS to openat2 (scripts/without-openat2: procsys-net's surefire execution
 * "without-openat2", which sets procsys.test.openat2=filtered so this class knows what to expect).
 */
class BeneathTest {
    static final boolean FILTERED = "filtered".equals(System.getProperty("procsys.test.openat2"));
    static Path root;
    static ProcTree tree;

    @BeforeAll
    static void makeTree() throws IOException {
        root = Files.createTempDirectory("beneath-");
        Files.createDirectories(root.resolve("26231/fd"));
        Files.createDirectories(root.resolve("26231/net"));
        Files.writeString(root.resolve("26231/status"), "Name:\tvim\n");
        Files.createSymbolicLink(root.resolve("26231/root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("26231/cwd"), Path.of("26231/net"));
        Files.createSymbolicLink(root.resolve("self"), Path.of("26231"));
        tree = ProcTree.open(root);
    }

    @AfterAll
    static void close() {
        tree.close();
    }

    static int rawOpenat2() {
        try (Arena arena = Arena.ofConfined()) {
            return Libc.openat2(tree.rootFd(), arena.allocateFrom("."), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, Libc.RESOLVE_BENEATH);
        }
    }

    @Test
    void theProbeChoosesWhatTheKernelAndItsFilterAllow() {
        int fd = rawOpenat2();
        if (FILTERED) {
            assertEquals(-Errno.ENOSYS, fd, "the seccomp filter is on this JVM");
            assertEquals(Beneath.COMPONENT_WALK, Beneath.chosen(tree.rootFd()));
        } else {
            assertEquals(fd >= 0 ? Beneath.OPENAT2 : Beneath.COMPONENT_WALK, Beneath.chosen(tree.rootFd()));
        }
        if (fd >= 0) Libc.close(fd);
    }

    /** Whether this kernel has openat2 (5.6); where it has not, says so: only the walk is compared. */
    static boolean openat2Works() {
        int fd = rawOpenat2();
        if (fd >= 0) {
            Libc.close(fd);
            return true;
        }
        System.out.println("# BeneathTest: openat2 answers " + Errno.name(-fd) + " on this machine without a test filter"
                + " (a kernel before 5.6, or a sandbox): the walk is compared with the expected errnos, openat2 is not");
        return false;
    }

    /** errno of opening {@code path} the given way (0 when it opened). */
    static int errno(Beneath way, String path, int flags) {
        int fd = way.openDirectory(tree.rootFd(), path, flags);
        if (fd >= 0) Libc.close(fd);
        return fd >= 0 ? 0 : -fd;
    }

    @Test
    void theWalkAnswersAsOpenat2Would() {
        List<String> paths = List.of("", "26231", "26231/fd", "26231/net", "26231/root", "26231/root/etc", "26231/cwd",
                "self", "self/fd", "26231/status", "26231/status/x", "nothing", "26231/nothing/fd");
        List<Integer> expected = List.of(0, 0, 0, 0, Errno.ELOOP, Errno.ELOOP, Errno.ELOOP,
                Errno.ELOOP, Errno.ELOOP, Errno.ENOTDIR, Errno.ENOTDIR, Errno.ENOENT, Errno.ENOENT);
        boolean withOpenat2 = !FILTERED && openat2Works();
        for (int flags : new int[]{Libc.O_PATH, Libc.O_RDONLY}) {
            for (int i = 0; i < paths.size(); i++) {
                assertEquals(expected.get(i), errno(Beneath.COMPONENT_WALK, paths.get(i), flags), "walk: " + paths.get(i));
                if (withOpenat2) assertEquals(expected.get(i), errno(Beneath.OPENAT2, paths.get(i), flags), "openat2: " + paths.get(i));
            }
        }
    }

    @Test
    void theWalkLeavesNoDescriptorOpen() throws IOException {
        long before;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            before = fds.count();
        }
        for (int i = 0; i < 1000; i++) {
            errno(Beneath.COMPONENT_WALK, "26231/root/etc", Libc.O_PATH);
            errno(Beneath.COMPONENT_WALK, "26231/fd", Libc.O_RDONLY);
            errno(Beneath.COMPONENT_WALK, "26231/nothing/fd", Libc.O_PATH);
        }
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            assertTrue(fds.count() <= before, "descriptors leaked");
        }
    }
}
