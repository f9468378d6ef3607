package io.procsys.fs.cluster;

import io.procsys.net.client.AgentClient;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * The actions on one peer's processes (README "Acting on the cluster"): kill(2), setpriority(2)
 * and ioprio_get(2) through its agent, within the action deadline, answered as those calls answer.
 */
public final class PeerActions {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final Peer peer;
    private final AtomicBoolean olderAgentLogged = new AtomicBoolean();
    private volatile Duration deadline = Peer.DEFAULT_ACTION_DEADLINE;

    PeerActions(Peer peer) {
        this.peer = peer;
    }

    /** Actions wait this long for the host. */
    void deadline(Duration wait) {
        this.deadline = wait;
    }

    Duration deadline() {
        return deadline;
    }

    /** kill(2) of {@code pid} on this host through its agent: 0, or fails with the errno. */
    public CompletableFuture<Integer> signal(int pid, long startTime, int signal, String user, int uid) {
        return action((c, wait) -> c.signal(pid, startTime, signal, user, uid, wait));
    }

    /** setpriority(PRIO_PROCESS) of {@code pid} through the agent: 0, or fails with the errno. */
    public CompletableFuture<Integer> setPriority(int pid, long startTime, int nice, String user, int uid) {
        return action((c, wait) -> c.setPriority(pid, startTime, nice, user, uid, wait));
    }

    /** ioprio_get of {@code pid} through the agent: the value, or fails with the errno. */
    public CompletableFuture<Integer> ioprioGet(int pid, long startTime) {
        return action((c, wait) -> c.ioprioGet(pid, startTime, wait));
    }

    /**
     * An action, unless the agent speaks an older protocol: then EPERM here, without a word to
     * the agent (which would refuse the message and close the connection), logged once.
     */
    private CompletableFuture<Integer> action(BiFunction<AgentClient, Long, CompletableFuture<Integer>> request) {
        AgentClient c = peer.client();
        if (c != null && c.isActive() && !c.speaksActions()) {
            if (olderAgentLogged.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "the agent of " + peer.name() + " speaks protocol " + c.version()
                        + ", without signals: they are refused here (EPERM) until it is upgraded");
            }
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EPERM, "the agent of " + peer.name() + " is too old for signals"));
        }
        return peer.call(request, deadline, false).exceptionallyCompose(error -> CompletableFuture.failedFuture(asActionError(error)));
    }

    /**
     * kill(2), setpriority(2) and ioprio_get(2) never answer ETIMEDOUT or EHOSTUNREACH, and tools
     * do not expect them (psutil.pid_exists raised TimeoutError): a host that is down, or did not
     * answer within the action deadline, is EAGAIN, "try again". A signal sent before the
     * deadline may still arrive.
     */
    static Throwable asActionError(Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        if (e instanceof ErrnoException r && (r.errno() == Errno.ETIMEDOUT || r.errno() == Errno.EHOSTUNREACH || r.errno() == Errno.ENOTCONN)) {
            return new ErrnoException(Errno.EAGAIN, r.reason());
        }
        return e;
    }
}
