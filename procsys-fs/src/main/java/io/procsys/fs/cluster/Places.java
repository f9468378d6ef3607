package io.procsys.fs.cluster;

import io.procsys.fs.Node;
import io.procsys.fs.NodeKind;
import io.procsys.fs.identity.PidCodec;

/**
 * Where a node of the cluster mount lives. hosts/NAME/rest is NAME's "rest"; a top-level cluster
 * pid directory ENC/rest is host {@code hostIndex(ENC)}'s "localPid(ENC)/rest" (thread ids under
 * task/ decoded the same way); a few top-level names are the cluster's own ({@code .sys/rest} is
 * the {@link SysViews}' "rest", answered as a host's tree); the rest is the local mirror's.
 */
final class Places {
    static final String HOSTS = "hosts";
    static final String NET = "net";
    static final String PID_MAX = "sys/kernel/pid_max";

    private final HostSet hosts;
    private final SysViews sysViews;

    Places(HostSet hosts, SysViews sysViews) {
        this.hosts = hosts;
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
            case HOST -> of(parent) instanceof Place.OnHost at ? at.child(name) : new Place.Gone();
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

    /** A top-level name that is the pid of a remote host's process. */
    private boolean isRemotePid(String name) {
        if (!NodeKind.isPid(name)) return false;
        long value = Long.parseLong(name);
        if (value >= PidCodec.GLOBAL_PID_LIMIT) return false;
        int index = PidCodec.hostIndex((int) value);
        return index > 0 && hosts.get(index) != null;
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
        int global = Integer.parseInt(slash < 0 ? nodePath : nodePath.substring(0, slash));
        String path = PidCodec.localPid(global) + (slash < 0 ? "" : nodePath.substring(slash));
        if (path.contains("/task/")) {
            String[] parts = path.split("/", 4);
            parts[2] = Place.hostsOwnPid(parts[2]);
            path = String.join("/", parts);
        }
        Backend b = hosts.get(PidCodec.hostIndex(global));
        return b == null ? new Place.Gone() : new Place.OnHost(b, PidCodec.hostIndex(global), path, true);
    }
}
