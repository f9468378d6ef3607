package io.procsys.fs.combine;

import io.procsys.fs.identity.SocketInodes;

import java.util.List;

/**
 * {@code /proc/net/unix}: the header once, then the sockets of every host; {@code Num} (the
 * kernel address, zeros to non-root readers) kept, the inode through {@link SocketInodes},
 * right-aligned like the kernel's {@code %5lu}. A part whose header has no {@code Inode} column
 * (the old layout of the {@code unix_without_inode} fixture) is dropped: its sockets could not be
 * made unique across hosts, and its rows would be misread under the other hosts' header.
 */
final class UnixSocketsAggregator extends RowTableAggregator {
    private static final int INODE = 6;

    UnixSocketsAggregator() {
        super(1);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        return hasWords(header, "Num       RefCount Protocol Flags    Type St Inode Path");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireAtLeast("unix socket", INODE + 1); // Path is absent for unnamed sockets
        if (!row.field(0).endsWith(":")) {
            throw Numbers.malformed(row.field(0), "Num");
        }
        return row.replaceRightAligned(INODE, SocketTableAggregator.clusterInode(part, row, INODE));
    }
}
