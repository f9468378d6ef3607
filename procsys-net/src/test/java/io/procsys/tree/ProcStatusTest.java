package io.procsys.tree;

import io.procsys.posix.Errno;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProcStatusTest {
    @Test
    void tgidIsReadFromStatus() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocateFrom("Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4250\n");
            assertEquals(4242, ProcStatus.tgid(status));
            assertEquals(-Errno.EIO, ProcStatus.tgid(arena.allocateFrom("Name:\tx\nPid:\t1\n")));
        }
    }
}
