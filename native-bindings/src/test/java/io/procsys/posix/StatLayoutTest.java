package io.procsys.posix;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stat's hand-written layout against gcc's struct stat, field by field, and against fstatat itself. */
class StatLayoutTest {

    private static Map<String, Long> gccLayout() throws Exception {
        Path dir = Files.createTempDirectory("stat-layout");
        Path binary = dir.resolve("layout");
        Process gcc = new ProcessBuilder("gcc", "-o", binary.toString(),
                Path.of("src/test/c/stat_layout.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc failed:\n" + gccOut);
        Process probe = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes());
        assertEquals(0, probe.waitFor(), out);
        Map<String, Long> layout = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            layout.put(f[0], Long.parseLong(f[1]));
        }
        return layout;
    }

    @Test
    void everyFieldSitsWhereGccPutsIt() throws Exception {
        Map<String, Long> c = gccLayout();
        assertEquals(c.remove("size"), Stat.SIZE, "sizeof(struct stat)");
        assertEquals(16, c.size(), "fields probed");
        c.forEach((field, offset) -> assertEquals(offset, Stat.offsetOf(field), field));
    }

    @Test
    void readsWhatFstatatWrites() throws Exception {
        Path file = Files.createTempFile("stat-layout", ".txt");
        Files.writeString(file, "12345");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.LAYOUT);
            assertEquals(0, Libc.fstatat(Libc.AT_FDCWD, arena.allocateFrom(file.toString()), st, Libc.AT_SYMLINK_NOFOLLOW));
            assertEquals(5, Stat.size(st));
            assertEquals(Files.getAttribute(file, "unix:ino"), Stat.inode(st));
            assertEquals(Files.getAttribute(file, "unix:mode"), Stat.mode(st));
            assertEquals(Files.getAttribute(file, "unix:nlink"), (int) Stat.nlink(st));
            assertEquals(Files.getLastModifiedTime(file).toMillis() / 1000, Stat.mtimeSeconds(st));
        } finally {
            Files.delete(file);
        }
    }
}
