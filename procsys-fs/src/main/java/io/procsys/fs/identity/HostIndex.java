package io.procsys.fs.identity;

/**
 * A host's place in the cluster: 0 is the local host, 1..{@link #MAX} the remote hosts in the
 * cluster's fixed order. Every cluster-wide identity ({@link PidCodec}, {@link SocketInodes},
 * {@link InterfaceNames}) is built from it, so a host keeps its index while it is a member.
 */
public final class HostIndex {
    public static final int MAX = 255;

    private HostIndex() {}

    /** {@code index}, or IllegalArgumentException when it is not a host index. */
    public static int checked(int index) {
        if (index < 0 || index > MAX) throw new IllegalArgumentException("host index " + index + " outside 0.." + MAX);
        return index;
    }
}
