package io.procsys.fs.cluster;

import io.procsys.fs.identity.PidMap;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.posix.ProcessCalls;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Acting on remote processes for users of this machine (README "Acting on the cluster"): a cluster
 * pid names its host, local pid and start time ({@link PidMap}: the start time the host's process
 * table showed when a listing mapped it, what `ps`, `top`, `pgrep` saw), or, for a process no
 * listing of this mount has shown, its {@code stat} as the agent reads it when asked (one more request); the
 * request goes to that host's agent with the start time, which refuses a process that is not
 * the one this mount saw (ESRCH): a pid reused since the listing is never acted on. Errnos come back as the agent or the deadline gives them.
 *
 * <p>This host's own pids (below 2^22) are not acted on here (EINVAL): the caller acts on them
 * itself, with the kernel's own checks. Nothing but one remote process is ever named: a pid of
 * 0, -1 or below (process groups, every process) or that the map does not hold is ESRCH.
 */
public final class ClusterActions {
    /** Where a cluster pid lives: its host's index and name and its pid there. */
    public record Location(int hostIndex, String host, int localPid) {}

    private final HostSet hosts;
    private final PidMap pids;

    ClusterActions(HostSet hosts, PidMap pids) {
        this.hosts = hosts;
        this.pids = pids;
    }

    /** The host and local pid of {@code clusterPid} (a pid below 2^22 is this host's own); ESRCH if it names no host of the view. */
    public Location which(long clusterPid) {
        if (clusterPid > 0 && clusterPid < PidMap.HOST_PID_LIMIT) return new Location(0, hosts.get(0).name(), (int) clusterPid);
        Target target = target(clusterPid);
        return new Location(target.process.hostIndex(), target.host.name(), target.process.pid());
    }

    /** A mapped process and its host. */
    private record Target(PidMap.Local process, Backend host) {}

    /** What the map holds of {@code clusterPid}, on a host of the view; ESRCH otherwise. */
    private Target target(long clusterPid) {
        PidMap.Local local = pids.local(clusterPid);
        if (local == null) throw new ErrnoException(Errno.ESRCH, "no cluster pid " + clusterPid);
        Backend host = hosts.get(local.hostIndex());
        if (host == null) throw new ErrnoException(Errno.ESRCH, "no host of index " + local.hostIndex());
        return new Target(local, host);
    }

    /** kill(2) of a remote process for {@code user} (uid {@code uid} here): 0, or fails with the errno. */
    public CompletableFuture<Integer> signal(long clusterPid, int signal, String user, int uid) {
        if (signal < 0 || signal > ProcessCalls.SIGNAL_MAX) return failed(Errno.EINVAL, "no signal " + signal);
        return onRemote(clusterPid, (peer, process) -> peer.actions().signal(process.pid, process.startTime, signal, user, uid));
    }

    /** setpriority(PRIO_PROCESS) of a remote process for {@code user}: 0, or fails with the errno. */
    public CompletableFuture<Integer> setPriority(long clusterPid, int nice, String user, int uid) {
        return onRemote(clusterPid, (peer, process) -> peer.actions().setPriority(process.pid, process.startTime, nice, user, uid));
    }

    /** ioprio_get of a remote process: the value, or fails with the errno. */
    public CompletableFuture<Integer> ioprioGet(long clusterPid) {
        return onRemote(clusterPid, (peer, process) -> peer.actions().ioprioGet(process.pid, process.startTime));
    }

    private record Seen(int pid, long startTime) {}

    private CompletableFuture<Integer> onRemote(long clusterPid, BiFunction<Peer, Seen, CompletableFuture<Integer>> action) {
        if (clusterPid > 0 && clusterPid < PidMap.HOST_PID_LIMIT) {
            return failed(Errno.EINVAL, "pid " + clusterPid + " is this host's: act on it here");
        }
        Target target;
        try {
            target = target(clusterPid);
        } catch (ErrnoException e) {
            return CompletableFuture.failedFuture(e);
        }
        PidMap.Local where = target.process;
        Backend host = target.host;
        Backend remote = host instanceof TableBackend t ? t.remote() : host;
        if (remote instanceof HostBelow below) { // acting goes to the host's own agent, checked there: not relayed by tree nodes
            return failed(Errno.EPERM, "host " + host.name() + " is below tree node " + below.node().name()
                    + ": signals are not relayed through tree nodes; act from a mount that has it as a peer");
        }
        if (!(remote instanceof Peer peer)) return failed(Errno.ESRCH, "host " + host.name() + " is not a remote agent");
        CompletableFuture<Integer> done = where.startTime() >= 0 ? action.apply(peer, new Seen(where.pid(), where.startTime()))
                // never listed here: one read of the process's stat from its agent (a table would cost a pass over every process)
                : peer.read(where.pid() + "/stat").thenCompose(content -> {
                    long startTime;
                    try {
                        MemorySegment stat = content.bytes();
                        startTime = StartTimes.startTime(at -> stat.get(ValueLayout.JAVA_BYTE, at), (int) stat.byteSize());
                    } finally {
                        content.release();
                    }
                    if (startTime < 0) return failed(Errno.ESRCH, "unreadable stat of " + clusterPid);
                    return action.apply(peer, new Seen(where.pid(), startTime));
                });
        if (host instanceof TableBackend table) done = done.whenComplete((value, error) -> table.actedOn(where.pid()));
        return done.exceptionallyCompose(error -> {
            Throwable e = ErrnoException.unwrapped(error);
            // a process gone from the host's tree is no process to signal
            if (e instanceof ErrnoException r && r.errno() == Errno.ENOENT) return failed(Errno.ESRCH, "no process " + clusterPid);
            return CompletableFuture.failedFuture(e);
        });
    }

    private static <T> CompletableFuture<T> failed(int errno, String why) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, why));
    }
}
