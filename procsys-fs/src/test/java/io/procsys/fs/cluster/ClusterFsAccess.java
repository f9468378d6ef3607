package io.procsys.fs.cluster;

/** Opens package-private pieces of the cluster layer to the integration tests. */
public final class ClusterFsAccess {
    private ClusterFsAccess() {}

    public static String socketLink(int hostIndex, String text) {
        return ClusterFs.socketLink(hostIndex, text);
    }
}
