package io.procsys.fs.cluster;

import io.procsys.fs.Node;
import io.procsys.fs.NodeKind;
import io.procsys.fs.identity.PidMap;

/**
 * Where a node of the cluster mount lives. hosts/NAME/rest is NAME's "rest"; a top-level cluster
 * pid directory CPID/rest is "pid/rest" of the host {@link PidMap} maps CPID to (thread ids under
 * task/ decoded the same way; a value in [2^22, 2^30) the map does not hold is ENOENT); a few
 * top-level names are the cluster's own ({@code .sys/rest} is the {@link SysViews}' "rest",
 * answered as a host's tree); the rest is the local mirror's.
 */
final class Places {
    static final String HOSTS = "hosts";
    static final String NET = "net";
    static final String PID_MAX = "sys/kernel/pid_max";

    private final HostSet hosts;
    private final PidMap pids;
    private final SysViews sysViews;

    Places(HostSet hosts, PidMap pids, SysViews sysViews) {
        this.hosts = hosts;
        this.pids = pids;
        this.sysViews = sysViews;
    }

    /** The place of an existing node (null: the mirror answers, ESTALE). */
    Place of(Node node) {
        if (node == null) return new Place.Mirror();
        return switch (node.kind()) {
            case HOSTS -> new Place.HostsDirectory();
            case HOST -> onHost(node.path());
            case GLOBAL -> global(node.path());
            default -> new Place.Mirror();
        };
    }

    /** The place of entry {@code name} of {@code parent}, for lookup. */
    Place child(Node parent, String name) {
        if (parent == null) return new Place.Mirror();
        if (parent.id() == Node.ROOT_ID) {
            if (name.equals(HOSTS)) return new Place.HostsDirectory();
            if (name.equals(NET)) return new Place.NetDirectory();
            if (name.equals(SysViews.DIRECTORY)) return new Place.OnHost(sysViews, 0, "", false);
            return isRemotePid(name) ? onHost(name) : new Place.Mirror();
        }
        return switch (parent.kind()) {
            case HOSTS -> host(name);
            case HOST -> of(parent) instanceof Place.OnHost at ? child(at, name) : new Place.Gone();
            default -> new Place.Mirror();
        };
    }

    private static Place global(String path) {
        if (path.equals(NET)) return new Place.NetDirectory();
        if (path.equals(PID_MAX)) return new Place.PidMax();
        if (CombinedFiles.isCombined(path)) return new Place.Combined(path);
        return new Place.Mirror();
    }

    private Place host(String name) {
        Backend b = hosts.byName(name);
        return b == null ? new Place.Gone() : new Place.OnHost(b, hosts.indexOf(b), "", false);
    }

    /** Entry {@code name} of a directory of a host: under a remote process's task/, a cluster thread id becomes the host's own. */
    private Place child(Place.OnHost at, String name) {
        if (!at.listsThreads()) return at.child(name);
        String own = hostsOwnPid(name, at.hostIndex());
        return own == null ? new Place.Gone() : at.child(own);
    }

    /** The cluster pid {@code name} as host {@code hostIndex} knows it (null: mapped to no process of that host); any other name as it is. */
    private String hostsOwnPid(String name, int hostIndex) {
        if (!NodeKind.isPid(name)) return name;
        long value = Long.parseLong(name);
        if (value < PidMap.HOST_PID_LIMIT || value >= PidMap.CLUSTER_PID_LIMIT) return name;
        PidMap.Local local = pids.local(value);
        return local == null || local.hostIndex() != hostIndex ? null : Integer.toString(local.pid());
    }

    /**
     * Whether the host's last table shows another process under {@code local}'s pid (the pid was
     * reused): the old cluster pid's files are then gone, as the process is, rather than the new
     * process's. Unknown on either side (no table, a thread): not reused.
     */
    private static boolean reusedSince(Backend host, PidMap.Local local) {
        long now = host.startTimeSeen(local.pid());
        return local.startTime() != PidMap.UNKNOWN && now != PidMap.UNKNOWN && now != local.startTime();
    }

    /** A top-level name that is the pid of a remote host's process. */
    private boolean isRemotePid(String name) {
        if (!NodeKind.isPid(name)) return false;
        PidMap.Local local = pids.local(Long.parseLong(name));
        return local != null && hosts.get(local.hostIndex()) != null;
    }

    /** A node under hosts/NAME/ or under a cluster pid directory. */
    private Place onHost(String nodePath) {
        if (nodePath.startsWith(SysViews.DIRECTORY + "/")) {
            return new Place.OnHost(sysViews, 0, nodePath.substring(SysViews.DIRECTORY.length() + 1), false);
        }
        if (nodePath.equals(SysViews.DIRECTORY)) return new Place.OnHost(sysViews, 0, "", false);
        if (nodePath.startsWith(HOSTS + "/")) {
            String rest = nodePath.substring(HOSTS.length() + 1);
            int slash = rest.indexOf('/');
            Place host = host(slash < 0 ? rest : rest.substring(0, slash));
            return host instanceof Place.OnHost at && slash >= 0
                    ? new Place.OnHost(at.backend(), at.hostIndex(), rest.substring(slash + 1), false) : host;
        }
        int slash = nodePath.indexOf('/');
        PidMap.Local local = pids.local(Long.parseLong(slash < 0 ? nodePath : nodePath.substring(0, slash)));
        Backend b = local == null ? null : hosts.get(local.hostIndex());
        if (b == null || reusedSince(b, local)) return new Place.Gone();
        String path = local.pid() + (slash < 0 ? "" : nodePath.substring(slash));
        if (path.contains("/task/")) {
            String[] parts = path.split("/", 4);
            parts[2] = hostsOwnPid(parts[2], local.hostIndex());
            if (parts[2] == null) return new Place.Gone();
            path = String.join("/", parts);
        }
        return new Place.OnHost(b, local.hostIndex(), path, true);
    }
}
