package io.procsys.posix;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {
    @Test
    void failedCallsReturnNegativeErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(Stat.SIZE, 8);
            assertEquals(-Errno.ENOENT, Libc.fstatat(Libc.AT_FDCWD, arena.allocateFrom("/no/such/file"), st, 0));
            assertEquals(-Errno.ENOTDIR, Libc.openat(Libc.AT_FDCWD, arena.allocateFrom("/etc/hostname/x"), Libc.O_RDONLY));
            assertEquals(-Errno.EBADF, Libc.close(-5));
        }
    }

    @Test
    void readsAFileAndStatsIt() throws Exception {
        Path file = Files.createTempFile("libc", ".txt");
        Files.writeString(file, "hello procsys\n");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            MemorySegment st = arena.allocate(Stat.SIZE, 8);
            assertEquals(0, Libc.fstatat(Libc.AT_FDCWD, path, st, 0));
            assertEquals(14, Stat.size(st));
            assertTrue(Stat.isRegular(Stat.mode(st)));
            int fd = Libc.openat(Libc.AT_FDCWD, path, Libc.O_RDONLY);
            assertTrue(fd >= 0);
            MemorySegment buf = arena.allocate(64);
            long n = Libc.read(fd, buf, 64);
            assertEquals("hello procsys\n", new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(5, Libc.pread(fd, buf, 5, 6));
            assertEquals(0, Libc.close(fd));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void listsADirectory() throws Exception {
        Path dir = Files.createTempDirectory("libc");
        Files.createFile(dir.resolve("a"));
        Files.createDirectory(dir.resolve("b"));
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.openat(Libc.AT_FDCWD, arena.allocateFrom(dir.toString()), Libc.O_RDONLY | Libc.O_DIRECTORY);
            List<String> names = new ArrayList<>();
            assertEquals(0, Libc.readDirectory(fd, (name, type, inode) -> names.add(name + ":" + type)));
            assertTrue(names.containsAll(List.of("a:" + Stat.DT_REG, "b:" + Stat.DT_DIR, ".:" + Stat.DT_DIR)), names.toString());
        }
    }

    @Test
    void recognisesProcfs() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.openat(Libc.AT_FDCWD, arena.allocateFrom("/proc"), Libc.O_RDONLY | Libc.O_DIRECTORY);
            assertEquals(Libc.PROC_SUPER_MAGIC, Libc.filesystemType(fd));
            Libc.close(fd);
        }
    }

    @Test
    void mallocReallocFree() {
        MemorySegment block = Libc.malloc(16);
        block.fill((byte) 7);
        MemorySegment bigger = Libc.realloc(block, 4096);
        assertEquals(4096, bigger.byteSize());
        assertEquals(7, bigger.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 15));
        Libc.free(bigger);
    }
}
