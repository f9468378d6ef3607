package io.procsys.fuse;

import io.procsys.fuse.bindings.stat;
import io.procsys.posix.Errno;
import io.procsys.posix.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mounts a tiny filesystem for real through the binding layer: one file "hello", one name
 * "boom" whose lookup throws. Proves the session lifecycle, the reply helpers, direct_io for a
 * size-0 file, and that an exception in an upcall becomes EIO without harming the process.
 */
class FuseSessionTest {
    static final byte[] HELLO = "hello from java\n".getBytes(StandardCharsets.US_ASCII);
    static final long HELLO_ID = 2;

    static final class Hello implements FuseFilesystem {
        final MemorySegment data = Arena.global().allocate(HELLO.length);

        Hello() {
            data.copyFrom(MemorySegment.ofArray(HELLO));
        }

        static void fill(MemorySegment st, long id) {
            st.fill((byte) 0);
            stat.st_ino(st, id);
            stat.st_mode(st, id == 1 ? Stat.S_IFDIR | 0555 : Stat.S_IFREG | 0444);
            stat.st_nlink(st, id == 1 ? 2 : 1);
        }

        @Override
        public void lookup(Request req, long parent, String name) {
            if (name.equals("boom")) throw new IllegalStateException("deliberate failure in lookup");
            if (parent != 1 || !name.equals("hello")) {
                req.replyError(Errno.ENOENT);
                return;
            }
            EntryParam e = req.newEntry();
            fill(e.attr(), HELLO_ID);
            req.replyEntry(e.set(HELLO_ID, 1, 1));
        }

        @Override
        public void getattr(Request req, long node) {
            MemorySegment st = req.statBuffer();
            fill(st, node);
            req.replyAttr(st, 1);
        }

        @Override
        public void open(Request req, long node, FileInfo fi) {
            fi.setDirectIo(true); // size 0 in getattr: without direct_io readers would see nothing
            req.replyOpen(fi);
        }

        @Override
        public void read(Request req, long node, long size, long offset, FileInfo fi) {
            long start = Math.min(offset, HELLO.length);
            req.replyBuffer(data.asSlice(start, Math.min(size, HELLO.length - start)));
        }

        @Override
        public void opendir(Request req, long node, FileInfo fi) {
            req.replyOpen(fi);
        }

        @Override
        public void readdir(Request req, long node, long size, long offset, FileInfo fi) {
            DirectoryBuffer out = req.directoryBuffer(size);
            MemorySegment st = req.statBuffer();
            if (offset < 1) {
                fill(st, HELLO_ID);
                out.add("hello", st, 1);
            }
            out.reply();
        }
    }

    static Path mountpoint;
    static FuseSession session;

    @BeforeAll
    static void mount() throws Exception {
        mountpoint = Files.createTempDirectory("fuse-session-test");
        session = FuseSession.mount(new Hello(), mountpoint, List.of("fsname=procsys-test", "subtype=procsys-test"));
        session.loopInBackground(2);
    }

    @AfterAll
    static void unmount() throws IOException {
        if (session != null) assertTrue(session.stop(5_000), "loop ended after stop");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(mountpoint.toString()), "mount removed");
        Files.deleteIfExists(mountpoint);
    }

    @Test
    void readsASizeZeroFileWithDirectIo() throws IOException {
        assertEquals(0, Files.size(mountpoint.resolve("hello")));
        assertEquals(new String(HELLO, StandardCharsets.US_ASCII), Files.readString(mountpoint.resolve("hello")));
    }

    @Test
    void listsTheDirectory() throws IOException {
        try (Stream<Path> names = Files.list(mountpoint)) {
            assertEquals(List.of("hello"), names.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void missingNameIsEnoent() {
        assertThrows(NoSuchFileException.class, () -> Files.readAttributes(mountpoint.resolve("nothing"), "unix:mode"));
    }

    @Test
    void exceptionInUpcallBecomesEioAndIsCounted() {
        long before = session.failures().total();
        FileSystemException e = assertThrows(FileSystemException.class, () -> Files.readAttributes(mountpoint.resolve("boom"), "unix:mode"));
        assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
        assertEquals(before + 1, session.failures().total());
        assertTrue(session.failures().byKind().containsKey("lookup: java.lang.IllegalStateException"));
    }

    @Test
    void unimplementedOperationIsEnosys() {
        FileSystemException e = assertThrows(FileSystemException.class, () -> Files.createDirectory(mountpoint.resolve("d")));
        assertTrue(e.getMessage().contains("Function not implemented"), e.getMessage());
    }
}
