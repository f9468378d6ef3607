package io.procsys.fs.identity;

/**
 * A host's place in the cluster: 0 is the local host, 1..{@link #MAX} the remote hosts in the
 * cluster's fixed order. Every cluster-wide identity ({@link PidMap}, {@link SocketInodes},
 * {@link InterfaceNames}) is built from it, so a host keeps its index while it is a member.
 * {@link #MAX} is what those still handle: socket inodes {@code i << 32 | n} stay below 2^48, and
 * {@code h65535-} leaves room for the shortened interface names.
 */
public final class HostIndex {
    public static final int MAX = 65_535;

    private HostIndex() {}

    /** {@code index}, or IllegalArgumentException when it is not a host index. */
    public static int checked(int index) {
        if (index < 0 || index > MAX) throw new IllegalArgumentException("host index " + index + " outside 0.." + MAX);
        return index;
    }
}
