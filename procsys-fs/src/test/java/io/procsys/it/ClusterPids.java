package io.procsys.it;

import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.ClusterActions;
import io.procsys.fs.identity.PidMap;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Cluster pids of a mount served by this JVM, found and decoded through the mount's own map
 * (what `procsys which` answers): cluster pids are allocated on first sight, not computed.
 */
final class ClusterPids {
    private ClusterPids() {}

    /** The cluster pid a fresh listing of {@code mount} shows for pid {@code localPid} of host {@code host}; fails if none. */
    static long listed(Cluster cluster, Path mount, String host, long localPid) throws IOException {
        List<String> names;
        try (var entries = Files.list(mount)) {
            names = entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("[1-9][0-9]{6,9}")).toList();
        }
        for (String name : names) {
            ClusterActions.Location at = where(cluster, Long.parseLong(name));
            if (at != null && at.host().equals(host) && at.localPid() == localPid) return Long.parseLong(name);
        }
        throw new AssertionError("no cluster pid of " + host + "/" + localPid + " listed under " + mount);
    }

    /** Where {@code clusterPid} lives, or null (a local pid, or one the map does not hold). */
    static ClusterActions.Location where(Cluster cluster, long clusterPid) {
        if (clusterPid < PidMap.HOST_PID_LIMIT) return null;
        try {
            return cluster.actions().which(clusterPid);
        } catch (ErrnoException e) {
            return null;
        }
    }
}
