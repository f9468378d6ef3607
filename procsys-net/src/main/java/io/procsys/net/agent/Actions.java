package io.procsys.net.agent;

import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ProcessCalls;

import java.util.OptionalInt;

import static io.procsys.net.log.RateLimitedLog.escaped;

/**
 * The agent's decisions on an action (README "Acting on the cluster"), in this order:
 * <ol>
 * <li>a bad signal number: EINVAL; a pid no process of this host can have: ESRCH;</li>
 * <li>signals and setpriority only: the agent's {@link SignalMode} is on, it acts in the pid
 *     namespace it reads ({@link PidNamespace}), the client's certificate carries the signal role,
 *     the viewer's user name is a user here, a viewer's root (or a name that is root here) only with
 *     {@link SignalMode#ROOT}, and any other user only at or above {@code --act-min-uid}, here and
 *     on the viewer ({@link ActionRules}): else EPERM;</li>
 * <li>a pidfd is opened on the pid, then its stat read: a start time other than the request's
 *     (the pid was reused since the client saw it) is ESRCH, and nothing reaches that process;</li>
 * <li>UNIX rules for a user other than root: a signal to a process whose real or saved uid is the
 *     user's, a setpriority of one whose real or effective uid is, and no lower nice (EACCES);</li>
 * <li>the call itself (through the pidfd for signals): its errno as it comes.</li>
 * </ol>
 * ioprio_get needs no role: it is a read, answered to every client, as /proc is.
 */
final class Actions {
    /** Who asks: the viewer's node (its certificate's CN) and whether its certificate has the signal role. */
    record Requester(String node, boolean signalRole) {}

    /** The reply, and the line the agent logs (every signal and setpriority, done or refused). */
    record Outcome(Message.Reply reply, String log) {
        int errno() {
            return reply instanceof Message.Error e ? e.errno() : 0;
        }
    }

    /** The caller as this host sees it: its uid here and whether it acts as root, or the reason it may not act. */
    private record Caller(int errno, String reason, int uid, boolean root) {}

    private final SignalMode mode;
    private final ActionRules rules;
    /** null: nothing to act on ({@link #unavailable} says why). */
    private final Processes processes;
    private final String unavailable;

    Actions(SignalMode mode, Processes processes) {
        this(ActionRules.of(mode), processes, processes == null ? "this agent exports no live /proc" : null);
    }

    /** Acting by {@code rules} on {@code processes}; none, and every action refused, when {@code unavailable} says why. */
    Actions(ActionRules rules, Processes processes, String unavailable) {
        this.mode = rules.mode();
        this.rules = rules;
        this.processes = unavailable == null ? processes : null;
        this.unavailable = unavailable == null ? "this agent exports no live /proc" : unavailable;
    }

    Outcome run(Message.Action action, Requester who) {
        return switch (action) {
            case Message.Signal s -> signal(s, who);
            case Message.SetPriority p -> setPriority(p, who);
            case Message.IoprioGet g -> ioprio(g);
        };
    }

    private static boolean possiblePid(int pid) {
        return pid > 0 && pid < (1 << 22);
    }

    private Outcome signal(Message.Signal s, Requester who) {
        String what = "signal " + s.signal() + " from " + escaped(who.node()) + " user " + escaped(s.user()) + " (uid " + Integer.toUnsignedString(s.uid())
                + " there) to pid " + s.pid();
        if (s.signal() < 0 || s.signal() > ProcessCalls.SIGNAL_MAX) return refused(s, Errno.EINVAL, what, "no such signal");
        if (!possiblePid(s.pid())) return refused(s, Errno.ESRCH, what, "no such pid");
        Caller caller = caller(who, s.user(), s.uid());
        if (caller.errno != 0) return refused(s, caller.errno, what, caller.reason);
        return onPinned(s, what, (pidfd, target, named) -> {
            if (!caller.root && caller.uid != target.realUid() && caller.uid != target.savedUid()) {
                return refused(s, Errno.EPERM, named, "not the user's process (uid " + caller.uid + " here, process real/saved uid "
                        + target.realUid() + "/" + target.savedUid() + ")");
            }
            return result(s, processes.signal(pidfd, s.signal()), named);
        });
    }

    private Outcome setPriority(Message.SetPriority p, Requester who) {
        String what = "setpriority nice " + p.nice() + " from " + escaped(who.node()) + " user " + escaped(p.user()) + " (uid "
                + Integer.toUnsignedString(p.uid()) + " there) of pid " + p.pid();
        if (!possiblePid(p.pid())) return refused(p, Errno.ESRCH, what, "no such pid");
        Caller caller = caller(who, p.user(), p.uid());
        if (caller.errno != 0) return refused(p, caller.errno, what, caller.reason);
        return onPinned(p, what, (pidfd, target, named) -> {
            if (!caller.root && caller.uid != target.realUid() && caller.uid != target.effectiveUid()) {
                return refused(p, Errno.EPERM, named, "not the user's process (uid " + caller.uid + " here, process real/effective uid "
                        + target.realUid() + "/" + target.effectiveUid() + ")");
            }
            if (!caller.root && p.nice() < target.nice()) {
                return refused(p, Errno.EACCES, named, "a lower nice than " + target.nice() + " needs root");
            }
            int r = processes.setPriority(p.pid(), p.nice());
            // setpriority names the pid: the process must still hold it (alive, or a zombie not yet
            // reaped) after the call, or the call may have met a successor
            if (r == 0 && processes.signal(pidfd, 0) == -Errno.ESRCH) {
                return refused(p, Errno.ESRCH, named, "the process ended during the call");
            }
            return result(p, r, named);
        });
    }

    private Outcome ioprio(Message.IoprioGet g) {
        if (!possiblePid(g.pid()) || processes == null) return new Outcome(new Message.Error(g.id(), Errno.ESRCH), null);
        Outcome o = onPinned(g, null, (pidfd, target, named) -> {
            int r = processes.ioprio(g.pid());
            return new Outcome(r < 0 ? new Message.Error(g.id(), -r) : new Message.Done(g.id(), r), null);
        });
        return new Outcome(o.reply(), null);
    }

    private Caller caller(Requester who, String user, int viewerUid) {
        if (mode == SignalMode.OFF) return new Caller(Errno.EPERM, "signals are off on this agent (start it with --allow-signals)", -1, false);
        if (processes == null) return new Caller(Errno.EPERM, unavailable, -1, false);
        if (!who.signalRole()) return new Caller(Errno.EPERM, "the certificate of " + who.node() + " has no signal role", -1, false);
        OptionalInt uid = processes.uidOf(user);
        if (uid.isEmpty()) return new Caller(Errno.EPERM, "no user " + escaped(user) + " on this host", -1, false);
        boolean root = viewerUid == 0 || uid.getAsInt() == 0;
        if (root && mode != SignalMode.ROOT) {
            return new Caller(Errno.EPERM, "root on the viewer is not root here (that needs --allow-signals=root)", uid.getAsInt(), true);
        }
        if (!root && (!rules.actsFor(uid.getAsInt()) || !rules.actsFor(viewerUid))) {
            return new Caller(Errno.EPERM, "uid " + Integer.toUnsignedString(uid.getAsInt()) + " here, " + Integer.toUnsignedString(viewerUid)
                    + " on the viewer: a service account (below --act-min-uid " + rules.minUid() + ", or nobody) is acted for on no host", uid.getAsInt(), false);
        }
        return new Caller(0, null, uid.getAsInt(), root);
    }

    private interface OnProcess {
        Outcome apply(int pidfd, TargetProcess target, String what);
    }

    /**
     * Opens a pidfd on the action's pid, then reads the process: {@code then} runs only if it is
     * the process the client saw (same start time), with the pidfd open.
     */
    private Outcome onPinned(Message.Action action, String what, OnProcess then) {
        if (processes == null) return refused(action, Errno.ESRCH, what, unavailable);
        int pidfd = processes.open(action.pid());
        if (pidfd < 0) {
            int errno = -pidfd;
            if (errno == Errno.ESRCH) return refused(action, Errno.ESRCH, what, "no such process");
            return refused(action, errno, what, "pidfd_open failed with errno " + errno
                    + (errno == Errno.ENOSYS || errno == Errno.EPERM ? " (kernel older than 5.3, or the call is filtered):"
                    + " refused, as the pid-reuse check needs it" : ""));
        }
        try {
            TargetProcess target = processes.read(action.pid());
            if (target == null) return refused(action, Errno.ESRCH, what, "no such process");
            String named = what == null ? null : what + " (" + escaped(target.comm()) + ")";
            if (target.startTime() != action.startTime()) {
                return refused(action, Errno.ESRCH, named, "pid reused: start time " + target.startTime() + ", not " + action.startTime() + " as seen");
            }
            return then.apply(pidfd, target, named);
        } finally {
            processes.close(pidfd);
        }
    }

    private static Outcome result(Message.Action action, int r, String what) {
        if (r < 0) return refused(action, -r, what, "the kernel answered errno " + -r);
        return new Outcome(new Message.Done(action.id(), 0), what + ": done");
    }

    private static Outcome refused(Message.Action action, int errno, String what, String reason) {
        return new Outcome(new Message.Error(action.id(), errno), what == null ? null : what + ": refused with " + Errno.name(errno) + ": " + reason);
    }
}
