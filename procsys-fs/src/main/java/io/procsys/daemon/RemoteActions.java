package io.procsys.daemon;

/**
 * What a mount does on a remote process for a user of this machine: the one seam between the
 * callers (`procsys kill`, the system calls `procsys exec` intercepts) and the forwarding (the
 * mount's control socket, the owning host's agent). Pids are cluster pids (remote: at least
 * 2^22). Answers are what the kernel would answer: 0 or an errno ({@code EPERM} refused,
 * {@code ESRCH} no such process or a pid reused since the listing, {@code EINVAL} a bad signal,
 * {@code EAGAIN} the host is down or did not answer within the action deadline).
 *
 * <p>{@code callerUid} is the uid on this machine of the process that asked; an implementation
 * must take it from the kernel (SO_PEERCRED, the trapped process's credentials), never from a
 * request it cannot vouch for.
 */
public interface RemoteActions {
    /** kill(2) of {@code clusterPid} with {@code signal} (0: a check only): 0 or an errno. */
    int signal(int callerUid, long clusterPid, int signal);

    /** setpriority(PRIO_PROCESS, clusterPid, nice): 0 or an errno. */
    int setPriority(int callerUid, long clusterPid, int nice);

    /** ioprio_get(IOPRIO_WHO_PROCESS, clusterPid): the value (at least 0) or -errno. */
    int ioprioGet(int callerUid, long clusterPid);

    /** The name under hosts/ of the host {@code clusterPid} lives on, or null (none, or this cannot tell). */
    default String hostOf(long clusterPid) {
        return null;
    }

    /**
     * The actions {@code connect} makes, made at the first call: a command that never acts on a
     * remote process pays nothing for them (`procsys exec -- ps` loads no client, no JSON).
     */
    static RemoteActions onFirstUse(java.util.function.Supplier<RemoteActions> connect) {
        return new RemoteActions() {
            private RemoteActions made;

            private synchronized RemoteActions actions() {
                if (made == null) made = connect.get();
                return made;
            }

            @Override
            public int signal(int callerUid, long clusterPid, int signal) {
                return actions().signal(callerUid, clusterPid, signal);
            }

            @Override
            public int setPriority(int callerUid, long clusterPid, int nice) {
                return actions().setPriority(callerUid, clusterPid, nice);
            }

            @Override
            public int ioprioGet(int callerUid, long clusterPid) {
                return actions().ioprioGet(callerUid, clusterPid);
            }

            @Override
            public String hostOf(long clusterPid) {
                return actions().hostOf(clusterPid);
            }
        };
    }
}
