package io.procsys.fs.identity;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SocketInodesTest {
    @Test
    void roundTripsLocalUnchangedRemoteAboveEveryLocal() {
        for (int index : java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(0, 300), java.util.stream.IntStream.of(1000, HostIndex.MAX)).toArray()) {
            for (long inode : new long[] {0, 1, 2740, 0xffff_ffffL}) {
                long global = SocketInodes.encode(index, inode);
                assertEquals(index, SocketInodes.hostIndex(global));
                assertEquals(inode, SocketInodes.localInode(global));
                assertEquals(index == 0 ? inode : index * 4294967296L + inode, global);
            }
        }
    }

    @Test
    void rejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.encode(1, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.encode(HostIndex.MAX + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.encode(0, -1));
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.hostIndex((HostIndex.MAX + 1L) << 32));
    }
}
