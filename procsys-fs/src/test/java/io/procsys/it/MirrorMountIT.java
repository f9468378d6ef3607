package io.procsys.it;

import io.procsys.fs.NodeKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real /proc mounted through procsys in this JVM, compared with /proc itself. */
class MirrorMountIT {
    static final Path PROC = Path.of("/proc");
    static final List<Process> sleepers = new ArrayList<>();
    static TestMount mounted;
    static Path mount;

    @BeforeAll
    static void mountMirror() throws IOException {
        // more than 10 processes to compare on any machine: a container's pid namespace may hold only a few
        for (int i = 0; i < 12; i++) sleepers.add(new ProcessBuilder("sleep", "600").start());
        mounted = new TestMount(PROC);
        mount = mounted.path;
    }

    @AfterAll
    static void unmountMirror() throws IOException {
        sleepers.forEach(Process::destroy);
        mounted.close();
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static Set<String> nonPid(Set<String> names) {
        return names.stream().filter(n -> !NodeKind.isPid(n)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void listingMatchesProc() throws IOException {
        Set<String> before = names(PROC);
        Set<String> mirrored = names(mount);
        Set<String> after = names(PROC);
        assertEquals(nonPid(before), nonPid(mirrored), "non-pid names are the same");
        Set<String> stablePids = new TreeSet<>(before);
        stablePids.retainAll(after);
        stablePids.removeIf(n -> !NodeKind.isPid(n));
        assertTrue(stablePids.size() > 10, "this machine runs processes");
        for (String pid : stablePids) assertTrue(mirrored.contains(pid), "pid " + pid + " listed");
        for (String pid : mirrored) {
            if (NodeKind.isPid(pid)) assertTrue(before.contains(pid) || after.contains(pid) || Files.exists(PROC.resolve(pid)) || !Files.exists(mount.resolve(pid)), pid);
        }
    }

    @Test
    void stableFilesAreByteForByteEqual() throws IOException {
        List<String> files = new ArrayList<>(List.of("version", "cmdline", "filesystems", "devices", "cgroups",
                "sys/kernel/ostype", "sys/kernel/osrelease", "sys/kernel/version", "sys/kernel/hostname",
                "sys/kernel/domainname", "sys/kernel/pid_max", "sys/kernel/ngroups_max", "sys/kernel/cap_last_cap"));
        files.removeIf(f -> !Files.isReadable(PROC.resolve(f)));
        assertTrue(files.size() >= 10);
        for (String f : files) {
            // One large read: a sysctl file read at a non-zero offset returns nothing in /proc, so
            // Files.readAllBytes (which reads one byte, then the rest) gets one byte there.
            assertArrayEquals(readInChunks(PROC.resolve(f), 65536), readInChunks(mount.resolve(f), 65536), f);
            // Through procsys every read of a handle is a slice of one snapshot, so the same
            // pattern of reads gets the whole file.
            assertArrayEquals(readInChunks(PROC.resolve(f), 65536), Files.readAllBytes(mount.resolve(f)), f);
        }
    }

    @Test
    void selfIsTheReadingProcess() throws IOException {
        Commands.Result r = Commands.run("sh", "-c", "echo $$; exec cat " + mount + "/self/status");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(r.out().contains("\nPid:\t" + lines[0] + "\n"), "cat's own pid: " + r.out());
        // this JVM, from a thread other than the main one: self is the process, thread-self the thread
        long pid = ProcessHandle.current().pid();
        assertTrue(Files.readString(mount.resolve("self/status")).contains("\nPid:\t" + pid + "\n"));
        String threadSelf = Files.readSymbolicLink(mount.resolve("thread-self")).toString();
        assertTrue(threadSelf.startsWith(pid + "/task/"), threadSelf);
        assertEquals(Files.readSymbolicLink(PROC.resolve("thread-self")).toString().split("/")[0], threadSelf.split("/")[0]);
    }

    @Test
    void symlinksReadTheSame() throws IOException {
        Process sleeper = Commands.sleeper();
        try {
            long pid = sleeper.pid();
            for (String link : List.of("net", "mounts", pid + "/cwd", pid + "/exe", pid + "/root", pid + "/fd/0", pid + "/fd/1", pid + "/ns/net", "1/exe", "1/cwd")) {
                Path real;
                try {
                    real = Files.readSymbolicLink(PROC.resolve(link));
                } catch (IOException refused) {
                    // the source's error reaches the caller unchanged
                    assertEquals(refused.getClass(), assertThrows(IOException.class, () -> Files.readSymbolicLink(mount.resolve(link))).getClass(), link);
                    continue;
                }
                assertEquals(real, Files.readSymbolicLink(mount.resolve(link)), link);
            }
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void pidDirectoriesHaveTheRealOwnerAndMode() throws IOException {
        int compared = 0;
        for (String name : names(PROC)) {
            if (!NodeKind.isPid(name) && !name.equals("meminfo") && !name.equals("sys") && !name.equals("kcore")) continue;
            Map<String, Object> real, mirrored;
            try {
                real = Files.readAttributes(PROC.resolve(name), "unix:uid,gid,mode,nlink,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                mirrored = Files.readAttributes(mount.resolve(name), "unix:uid,gid,mode,nlink,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue; // the process exited meanwhile
            }
            for (String a : List.of("uid", "gid", "mode", "ino")) assertEquals(real.get(a), mirrored.get(a), name + " " + a);
            compared++;
        }
        assertTrue(compared > 10, compared + " pid directories compared");
    }

    static byte[] readInChunks(Path file, int chunk) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            var out = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(chunk);
            while (ch.read(buf.clear()) > 0) out.write(buf.array(), 0, buf.position());
            return out.toByteArray();
        }
    }

    @Test
    void chunkedReadsEqualWholeReads() throws IOException {
        Process sleeper = Commands.sleeper();
        try {
            Path pidDir = mount.resolve(Long.toString(sleeper.pid()));
            for (String f : List.of("maps", "smaps", "status", "stat")) {
                byte[] whole = Files.readAllBytes(pidDir.resolve(f));
                assertTrue(whole.length > 0, f);
                for (int chunk : new int[]{1024, 4096, 333, 65536}) {
                    assertArrayEquals(whole, readInChunks(pidDir.resolve(f), chunk), f + " in chunks of " + chunk);
                }
            }
            assertTrue(Files.size(PROC.resolve("self/smaps")) == 0 && Files.readAllBytes(pidDir.resolve("smaps")).length > 4096,
                    "smaps is larger than one chunk and reports size 0");
        } finally {
            sleeper.destroy();
        }
        // This JVM's own smaps changes all the time; one handle still reads one consistent snapshot.
        String smaps = new String(readInChunks(mount.resolve("self/smaps"), 1024), StandardCharsets.US_ASCII);
        long headers = smaps.lines().filter(l -> l.matches("^[0-9a-f]+-[0-9a-f]+ .*")).count();
        long flags = smaps.lines().filter(l -> l.startsWith("VmFlags:")).count();
        assertTrue(headers > 50, "many mappings");
        assertEquals(headers, flags, "every mapping complete");
        assertTrue(smaps.endsWith("\n"));
    }

    static List<String> firstWords(String text) {
        return text.lines().map(l -> l.trim().split("[\\s:]+", 2)[0]).toList();
    }

    @Test
    void largeGlobalFilesReadWhole() throws IOException {
        // values move between two reads; the keys (each line's first word) and the line count do not
        for (String f : List.of("cpuinfo", "meminfo", "stat", "interrupts")) {
            String text = new String(readInChunks(mount.resolve(f), 1000), StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\n"), f + " ends with its last line");
            assertEquals(firstWords(Files.readString(PROC.resolve(f))), firstWords(text), f);
        }
        assertEquals(Files.readString(PROC.resolve("cpuinfo")).lines().filter(l -> l.startsWith("processor")).count(),
                Files.readString(mount.resolve("cpuinfo")).lines().filter(l -> l.startsWith("processor")).count());
    }

    @Test
    void everyChangeIsRefusedWithErofs() {
        List<org.junit.jupiter.api.function.Executable> changes = List.of(
                () -> Files.newOutputStream(mount.resolve("sys/kernel/hostname")).close(),
                () -> Files.createFile(mount.resolve("new-file")),
                () -> Files.createDirectory(mount.resolve("new-dir")),
                () -> Files.delete(mount.resolve("version")),
                () -> Files.createSymbolicLink(mount.resolve("new-link"), Path.of("version")),
                () -> Files.move(mount.resolve("version"), mount.resolve("version2")),
                () -> Files.setLastModifiedTime(mount.resolve("version"), FileTime.fromMillis(0)));
        for (var change : changes) {
            FileSystemException e = assertThrows(FileSystemException.class, change);
            assertTrue(String.valueOf(e.getMessage()).contains("Read-only file system"), e.getMessage());
        }
    }

    @Test
    void aProcessThatExitedIsEnoent() throws Exception {
        Process sleeper = Commands.sleeper();
        Path pidDir = mount.resolve(Long.toString(sleeper.pid()));
        assertTrue(Files.readString(pidDir.resolve("status")).contains("sleep"));
        sleeper.destroy();
        sleeper.waitFor();
        assertThrows(NoSuchFileException.class, () -> Files.readString(pidDir.resolve("status")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(mount.resolve("999999999/status")));
    }

    @Test
    void manyConcurrentReadersSeeNoErrors() throws Exception {
        List<String> files = List.of("meminfo", "stat", "loadavg", "uptime", "self/status", "self/stat", "cpuinfo", "net/dev", "1/status");
        int threads = 8, reads = 1500;
        AtomicLong bytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            results.add(pool.submit(() -> {
                for (int i = 0; i < reads; i++) {
                    String f = files.get((i + offset) % files.size());
                    try (InputStream in = Files.newInputStream(mount.resolve(f))) {
                        byte[] data = in.readAllBytes();
                        if (data.length == 0) throw new AssertionError(f + " read empty");
                        bytes.addAndGet(data.length);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : results) f.get();
        pool.shutdown();
        assertTrue(bytes.get() > threads * reads * 50L);
        // release is sent after close() returns: give the last ones a moment
        for (int i = 0; i < 100 && mounted.service.mirror().openHandles() > 0; i++) Thread.sleep(10);
        assertEquals(0, mounted.service.mirror().openHandles(), "every handle released");
    }

    @Test
    void statfsAnswers() throws IOException {
        var store = Files.getFileStore(mount);
        assertEquals("fuse.procsys", store.type());
        assertEquals(0, store.getTotalSpace());
    }
}
