package io.procsys.cli;

import io.procsys.daemon.MountControl;
import io.procsys.daemon.UserError;

import java.nio.file.Path;

/** Cluster pids as `kill` and `which` take them. */
final class Pids {
    /** Pids of this host are below it (PID_MAX_LIMIT); remote cluster pids from it to 2^30. */
    static final long LOCAL_LIMIT = 1L << 22, CLUSTER_LIMIT = 1L << 30;

    private Pids() {}

    /** A positive pid; process groups and -1 are refused (they would name processes of many hosts). */
    static long parse(String word) {
        if (word.matches("-\\d+")) {
            throw new UserError("'" + word + "': process groups and -1 are not forwarded to other hosts; use kill(1) for this host's", 2);
        }
        if (!word.matches("\\d{1,10}")) throw new UserError("'" + word + "' is not a pid (a number)", 2);
        long pid = Long.parseLong(word);
        if (pid == 0) throw new UserError("pid 0 (this process group) is not forwarded; use kill(1)", 2);
        return pid;
    }

    static boolean isLocal(long pid) {
        return pid < LOCAL_LIMIT;
    }

    /** The mount's control, for a remote pid: a UserError without --mount. */
    static MountControl control(Path mount, long pid) {
        if (mount == null) throw new UserError("pid " + pid + " is on another host: give the cluster mount with --mount", 2);
        return MountControl.connect(mount);
    }
}
