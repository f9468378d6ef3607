package io.procsys.fs.cluster;

import io.procsys.fs.NodeKind;

/**
 * What a node of the cluster mount is, worked out once per request ({@link Places}), so that
 * each operation of {@link ClusterFs} is one switch over it.
 */
sealed interface Place {
    /** This host's /proc as the local mirror serves it (most top-level files, this host's processes). */
    record Mirror() implements Place {}

    /** {@code hosts/}: one directory per host. */
    record HostsDirectory() implements Place {}

    /**
     * The top-level {@code net}: a link to self/net in /proc, a directory here (this host's
     * network files, the combined ones combined), so that /proc/net/dev means the cluster's.
     */
    record NetDirectory() implements Place {}

    /** {@code sys/kernel/pid_max}: the cluster's pid space, since cluster pids reach 2^30. */
    record PidMax() implements Place {}

    /** A file whose cluster view combines every host's copy (see {@code Aggregators}). */
    record Combined(String path) implements Place {}

    /**
     * A path in one host's own tree: {@code hosts/NAME/path}, or a remote process under its
     * cluster pid ({@code clusterPid}: ids in it are that host's, thread ids under task/ included).
     */
    record OnHost(Backend backend, int hostIndex, String path, boolean clusterPid) implements Place {
        /** The place of entry {@code own} of this directory ({@code own} as the host names it). */
        OnHost child(String own) {
            return new OnHost(backend, hostIndex, path.isEmpty() ? own : path + "/" + own, clusterPid);
        }

        /** A file or directory of one of the host's processes (its path begins with a pid). */
        boolean inProcess() {
            int slash = path.indexOf('/');
            return NodeKind.isPid(slash < 0 ? path : path.substring(0, slash));
        }

        /** A task/ directory of a remote process, whose entries are thread ids to show cluster-wide. */
        boolean listsThreads() {
            return clusterPid && path.endsWith("/task");
        }
    }

    /** Under a host that has left the cluster (or was never in it): ENOENT. */
    record Gone() implements Place {}
}
