package io.procsys.daemon.intercept;

import io.procsys.daemon.RemoteActions;
import io.procsys.posix.Errno;

/**
 * Stands in until the mount's forwarding client is wired into `procsys exec`: every remote
 * action is refused as the kernel refused it before interception (ESRCH for a signal and
 * ioprio_get; EPERM for setpriority).
 */
public final class NotForwarded implements RemoteActions {
    public static final RemoteActions INSTANCE = new NotForwarded();

    private NotForwarded() {}

    @Override
    public int signal(int callerUid, long clusterPid, int signal) {
        return Errno.ESRCH;
    }

    @Override
    public int setPriority(int callerUid, long clusterPid, int nice) {
        return Errno.EPERM;
    }

    @Override
    public int ioprioGet(int callerUid, long clusterPid) {
        return -Errno.ESRCH;
    }
}
