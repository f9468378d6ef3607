package io.procsys.tree;

import io.procsys.posix.Errno;
import io.procsys.posix.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing outside the root, nothing through a symlink, no secrets: checked on a tree made to tempt. */
class ExportedTreeTest {
    static Path root;
    static ExportedTree tree;

    @BeforeAll
    static void makeTree() throws IOException {
        root = Files.createTempDirectory("exported-");
        Path pid = Files.createDirectories(root.resolve("26231"));
        Files.writeString(pid.resolve("status"), "Name:\tvim\n");
        Files.writeString(pid.resolve("environ"), "SECRET=1\0");
        Files.writeString(pid.resolve("stack"), "[<0>] secret\n");
        Files.setPosixFilePermissions(pid.resolve("stack"), PosixFilePermissions.fromString("r--------"));
        Files.createSymbolicLink(pid.resolve("root"), Path.of("/"));
        Files.createSymbolicLink(pid.resolve("cwd"), Path.of("/usr/bin"));
        Files.createDirectories(pid.resolve("fd"));
        Files.createSymbolicLink(pid.resolve("fd/0"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(root.resolve("self"), Path.of("26231"));
        Files.writeString(root.resolve("meminfo"), "MemTotal: 1 kB\n");
        tree = new ExportedTree(ProcTree.open(root));
    }

    @AfterAll
    static void close() {
        tree.tree().close();
    }

    int statErrno(String path) {
        try (Arena arena = Arena.ofConfined()) {
            return -tree.stat(path, arena.allocate(Stat.SIZE, 8));
        }
    }

    /** The four requests both an agent and the mount's own host answer with. */
    @Test
    void theFourRequestsAnswerAValueOrAnErrno() {
        assertEquals(new ExportedTree.Answer<>(null, Errno.ENOENT), tree.attributes("nothing"));
        assertEquals(15, tree.attributes("meminfo").value().size());
        assertEquals(List.of("26231", "meminfo", "self"), tree.entries("").value().stream().map(ExportedTree.Entry::name).sorted().toList());
        assertEquals(Errno.ELOOP, tree.entries("26231/root").errno());
        assertEquals(new ExportedTree.Answer<>("26231", 0), tree.linkText("self"));
        assertEquals(Errno.EINVAL, tree.linkText("meminfo").errno(), "a file is no link");

        WholeFile.Buffer whole = new WholeFile.Buffer(ExportPolicy.MAX_FILE);
        assertEquals(0, tree.readWhole("meminfo", whole));
        assertEquals("MemTotal: 1 kB\n", new String(whole.written().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        whole.free();
        WholeFile.Buffer small = new WholeFile.Buffer(8);
        assertEquals(Errno.EFBIG, tree.readWhole("meminfo", small), "past the buffer's limit");
        small.free();
        assertEquals(Errno.EACCES, tree.readWhole("26231/stack", new WholeFile.Buffer(64)), "owner-only");
    }

    @Test
    void plainFilesAndListingsAreServed() {
        assertEquals(0, statErrno("26231/status"));
        assertEquals(0, statErrno(""));
        int fd = tree.openForRead("meminfo");
        assertTrue(fd >= 0);
        io.procsys.posix.Libc.close(fd);
        List<String> names = tree.list("26231").entries().stream().map(ExportedTree.Entry::name).sorted().toList();
        assertEquals(List.of("cwd", "fd", "root", "stack", "status"), names, "environ is not even listed");
    }

    @Test
    void escapesAreRefused() {
        for (String path : List.of("../etc/passwd", "/etc/passwd", "26231/../../etc", "26231//status", "./meminfo", "26231/", "a\0b")) {
            assertEquals(Errno.EINVAL, statErrno(path), path);
            assertTrue(tree.openForRead(path) < 0, path);
        }
        // through a symlink: never followed, whatever it points at
        assertEquals(Errno.ELOOP, statErrno("26231/root/etc/shadow"));
        assertEquals(-Errno.ELOOP, tree.openForRead("26231/root/etc/shadow"));
        assertEquals(-Errno.ELOOP, tree.openForRead("26231/cwd/ls"));
        assertEquals(-Errno.ELOOP, tree.openForRead("self/status"));
        assertEquals(Errno.ELOOP, tree.list("26231/root").errno());
        assertEquals(Errno.ELOOP, tree.list("26231/fd/0").errno() == Errno.ENOTDIR ? Errno.ELOOP : tree.list("26231/fd/0").errno());
    }

    @Test
    void linksAreTextOnly() {
        assertEquals("/", tree.linkText("26231/root").value());
        assertEquals("/usr/bin", tree.linkText("26231/cwd").value());
        assertEquals("/etc/hostname", tree.linkText("26231/fd/0").value());
        assertEquals(-Errno.EINVAL, tree.openForRead("26231/fd/0"), "a link is not a file to read");
    }

    @Test
    void secretsAreRefused() {
        assertEquals(-Errno.EACCES, tree.openForRead("26231/environ"));
        assertEquals(Errno.EACCES, statErrno("26231/environ"));
        assertEquals(-Errno.EACCES, tree.openForRead("26231/stack"), "owner-only mode");
        assertEquals(Errno.EACCES, statErrno("kcore"));
    }

    @Test
    void liveProcNetIsTheAgentsOwn() throws IOException {
        ExportedTree proc = new ExportedTree(ProcTree.open(Path.of("/proc")));
        try {
            int fd = proc.openForRead("net/dev");
            assertTrue(fd >= 0, "net/dev readable: " + fd);
            io.procsys.posix.Libc.close(fd);
            assertEquals(-Errno.EACCES, proc.openForRead("1/environ"));
            assertEquals(-Errno.EACCES, proc.openForRead("kcore"));
            assertEquals(-Errno.ELOOP, proc.openForRead("self/status"));
            assertEquals(-Errno.ELOOP, proc.openForRead("1/root/etc/passwd"));
            // every name of /proc but the denied ones (processes come and go: only the others are compared)
            java.util.function.Predicate<String> notPid = n -> !n.matches("[0-9]+");
            List<String> expected;
            try (var names = Files.list(Path.of("/proc"))) {
                expected = names.map(p -> p.getFileName().toString()).filter(notPid)
                        .filter(n -> !ExportPolicy.DENIED_NAMES.contains(n)).sorted().toList();
            }
            assertEquals(expected, proc.list("").entries().stream().map(ExportedTree.Entry::name).filter(notPid).sorted().toList());
        } finally {
            proc.tree().close();
        }
    }

    @Test
    void aDirectoryOpenedOnceKeepsEveryRule() {
        int[] errno = new int[1];
        try (ExportedTree.Directory pid = tree.directory("26231", errno)) {
            ExportedTree.Directory.Read status = pid.read("status", 4096);
            assertEquals(0, status.errno());
            assertEquals("Name:\tvim\n", new String(status.file().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            status.file().free();
            assertEquals(Errno.EACCES, pid.read("environ", 4096).errno(), "denied by name");
            assertEquals(Errno.EACCES, pid.read("stack", 4096).errno(), "owner-only");
            assertEquals(Errno.EINVAL, pid.read("cwd", 4096).errno(), "a link is not followed");
            assertEquals(Errno.EISDIR, pid.read("fd", 4096).errno());
            assertEquals("/usr/bin", pid.readlink("cwd", errno));
            assertEquals(null, pid.stat("..", errno));
            assertEquals(Errno.EINVAL, errno[0]);
        }
        assertEquals(null, tree.directory("26231/root", errno), "no directory through a link");
        assertEquals(null, tree.directory("../etc", errno));
    }

    /** A scope's filter (docs/scope.md): the listing and every request under a pid it hides answer as if the process did not exist. */
    @Test
    void aFilteredTreeShowsOnlyItsProcesses() throws IOException {
        Files.createDirectories(root.resolve("4242"));
        Files.writeString(root.resolve("4242/status"), "Name:\tother\n");
        int[] listings = new int[1];
        ExportedTree scoped = tree.showing(new ExportedTree.ProcessFilter() {
            public java.util.function.IntPredicate listed() {
                listings[0]++;
                return pid -> pid == 26231;
            }

            public boolean visible(int pid) {
                return pid == 26231;
            }
        });
        try {
            assertEquals(List.of("26231", "meminfo", "self"), scoped.entries("").value().stream().map(ExportedTree.Entry::name).sorted().toList());
            assertEquals(1, listings[0], "the members are taken afresh for each listing");
            assertEquals(Errno.ENOENT, scoped.attributes("4242").errno());
            assertEquals(Errno.ENOENT, scoped.entries("4242").errno());
            assertEquals(Errno.ENOENT, scoped.linkText("4242/cwd").errno());
            int[] errno = new int[1];
            assertEquals(null, scoped.directory("4242", errno));
            assertEquals(Errno.ENOENT, errno[0]);
            assertEquals(Errno.ENOENT, scoped.readWhole("4242/status", new WholeFile.Buffer(4096)));
            assertEquals(0, scoped.attributes("26231").errno(), "a member as before");
            assertEquals(0, scoped.attributes("meminfo").errno(), "files that are no process's as before");
            assertTrue(tree.entries("").value().stream().anyMatch(e -> e.name().equals("4242")), "the tree itself unchanged");
        } finally {
            Files.delete(root.resolve("4242/status"));
            Files.delete(root.resolve("4242"));
        }
    }
}
