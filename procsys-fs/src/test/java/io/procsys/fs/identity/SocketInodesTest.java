package io.procsys.fs.identity;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SocketInodesTest {
    @Test
    void roundTripsLocalUnchangedRemoteAboveEveryLocal() {
        for (int index = 0; index <= 255; index++) {
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
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.encode(256, 1));
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.encode(0, -1));
        assertThrows(IllegalArgumentException.class, () -> SocketInodes.hostIndex(256L << 32));
    }
}
