package io.procsys.fs.identity;

/**
 * Cluster-wide socket inode numbers, as printed in net/tcp, net/udp, net/unix... and in the
 * {@code socket:[inode]} links of {@code /proc/<pid>/fd}, which {@code netstat -p} matches.
 *
 * <p>Encoding: an inode of the local host (index 0) is unchanged; inode {@code n} of remote host
 * {@code i} (1..{@link HostIndex#MAX}) is {@code i << 32 | n}. Socket inodes come from the kernel's
 * {@code get_next_ino()}, an {@code unsigned int}, so {@code n < 2^32}: an encoded remote inode is
 * ≥ 2^32 and never equals a local one. It is printed as unsigned decimal (below 2^48, 15 digits at
 * most), which {@code netstat} reads with {@code %lu} and node_exporter as a uint64. Decoding:
 * {@code hostIndex = v >>> 32}, {@code localInode = v & 0xffffffff}. A part with an inode ≥ 2^32
 * breaks the assumption and is dropped as malformed.
 */
public final class SocketInodes {
    public static final long INODE_LIMIT = 1L << 32;

    private SocketInodes() {
    }

    public static long encode(int hostIndex, long inode) {
        HostIndex.checked(hostIndex);
        if (inode < 0 || inode >= INODE_LIMIT) {
            throw new IllegalArgumentException("inode " + inode + " outside 0..2^32-1");
        }
        return (long) hostIndex << 32 | inode;
    }

    public static int hostIndex(long globalInode) {
        return (int) (checked(globalInode) >>> 32);
    }

    public static long localInode(long globalInode) {
        return checked(globalInode) & (INODE_LIMIT - 1);
    }

    private static long checked(long globalInode) {
        if (globalInode < 0 || globalInode >>> 32 > HostIndex.MAX) {
            throw new IllegalArgumentException("global inode " + globalInode + " is not an encoded inode");
        }
        return globalInode;
    }
}
