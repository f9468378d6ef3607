package io.procsys.fs.combine;

import io.procsys.fs.identity.SocketInodes;

import java.util.List;

/**
 * {@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}: the first host's header once,
 * then the sockets of every host. {@code sl} is renumbered 0..N-1 over the whole table (right
 * aligned as the kernel's {@code %4d:}), the inode goes through {@link SocketInodes} so that
 * {@code netstat -p} can match it to one {@code socket:[inode]} link; every other column is kept
 * byte for byte. Header tails differ between kernels ({@code ref pointer drops}), and tools skip
 * line 0, so only its first word {@code sl} is checked. A row needs the 11 fields netstat reads.
 */
final class SocketTableAggregator extends RowTableAggregator {
    private static final int INODE = 9;

    SocketTableAggregator() {
        super(1);
    }

    @Override
    boolean isExpectedHeader(List<String> header) {
        Columns words = Columns.of(header.getFirst());
        return words.count() > 0 && words.field(0).equals("sl");
    }

    @Override
    String rewrite(HostPart part, Columns row) {
        row.requireAtLeast("socket", 11);
        String sl = row.field(0);
        Numbers.parseUnsigned(sl.substring(0, Math.max(0, sl.length() - 1)), "sl");
        if (!sl.endsWith(":")) {
            throw Numbers.malformed(sl, "sl");
        }
        return row.replaceLeftAligned(INODE, clusterInode(part, row, INODE));
    }

    /** Field {@code i} of a row read as a socket inode of {@code part}, made cluster-wide. */
    static String clusterInode(HostPart part, Columns row, int i) {
        long inode = Numbers.parseUnsigned(row.field(i), "inode");
        if (inode >= SocketInodes.INODE_LIMIT) {
            throw new MalformedPartException("inode " + inode + " does not fit 32 bits");
        }
        return Long.toString(SocketInodes.encode(part.index(), inode));
    }

    @Override
    String renumber(String row, int position) {
        return Columns.of(row).replaceRightAligned(0, position + ":");
    }
}
