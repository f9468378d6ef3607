package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_file_info;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jextract skips fuse_file_info's bitfields; FileInfo sets them by hand. This compiles a C
 * program against the installed libfuse headers and checks that gcc places every bit where
 * FileInfo writes it, and that the generated struct agrees on size and plain-field offsets.
 */
class FileInfoBitfieldTest {
    /** field -> {byte offset of its 32-bit word, bit in that word} as gcc lays them out. */
    static final Map<String, long[]> C_LAYOUT = new HashMap<>();

    @BeforeAll
    static void compileAndRunLayoutProbe() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fuse-layout");
        Path binary = dir.resolve("layout");
        Process gcc = new ProcessBuilder("gcc", "-I/usr/include/fuse3", "-o", binary.toString(),
                Path.of("src/test/c/fuse_file_info_layout.c").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc failed (needs gcc and libfuse3-dev):\n" + gccOut);
        Process probe = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes());
        assertEquals(0, probe.waitFor(), out);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            C_LAYOUT.put(f[0], new long[]{Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
    }

    private static void assertBit(String field, int javaBit) {
        long[] c = C_LAYOUT.get(field);
        assertEquals(FileInfo.BITFIELD_OFFSET, c[0], field + ": word offset");
        assertEquals(javaBit, c[1], field + ": bit");
    }

    @Test
    void bitPositionsMatchGcc() {
        assertBit("writepage", FileInfo.WRITEPAGE_BIT);
        assertBit("direct_io", FileInfo.DIRECT_IO_BIT);
        assertBit("keep_cache", FileInfo.KEEP_CACHE_BIT);
        assertBit("flush", FileInfo.FLUSH_BIT);
        assertBit("nonseekable", FileInfo.NONSEEKABLE_BIT);
        assertBit("flock_release", FileInfo.FLOCK_RELEASE_BIT);
        assertBit("cache_readdir", FileInfo.CACHE_READDIR_BIT);
        assertBit("noflush", FileInfo.NOFLUSH_BIT);
    }

    @Test
    void generatedStructMatchesGcc() {
        assertEquals(C_LAYOUT.get("sizeof")[0], fuse_file_info.sizeof());
        assertEquals(C_LAYOUT.get("flags")[0], fuse_file_info.flags$offset());
        assertEquals(C_LAYOUT.get("fh")[0], fuse_file_info.fh$offset());
    }

    @Test
    void settersTouchOnlyTheirBitAndKeepFlags() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment struct = arena.allocate(fuse_file_info.layout());
            fuse_file_info.flags(struct, 0x8000);
            FileInfo fi = new FileInfo(struct);
            fi.setDirectIo(true);
            assertEquals(1 << C_LAYOUT.get("direct_io")[1], struct.get(JAVA_INT, C_LAYOUT.get("direct_io")[0]));
            fi.setKeepCache(true);
            fi.setNonSeekable(true);
            assertTrue(fi.directIo() && fi.keepCache() && fi.nonSeekable());
            fi.setKeepCache(false);
            assertFalse(fi.keepCache());
            assertTrue(fi.directIo() && fi.nonSeekable());
            assertEquals(0x8000, fi.flags());
            fi.setHandle(42);
            assertEquals(42, fuse_file_info.fh(struct));
        }
    }
}
