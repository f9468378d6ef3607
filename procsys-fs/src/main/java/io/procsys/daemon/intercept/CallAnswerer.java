package io.procsys.daemon.intercept;

import io.procsys.daemon.RemoteActions;
import io.procsys.posix.Errno;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.util.BitSet;


/**
 * The answer to each trapped call, as the raw system call would give it (docs/architecture.md,
 * "Calls procsys exec intercepts"). Signals go to {@link RemoteActions} with the caller's uid;
 * nice, affinity and sysinfo are read from the mount.
 */
final class CallAnswerer {
    static final int EFAULT = 14;
    private final MountView view;
    private final RemoteActions actions;

    CallAnswerer(MountView view, RemoteActions actions) {
        this.view = view;
        this.actions = actions;
    }

    Answer answer(TrappedCall call, Caller caller) throws IOException, Caller.Gone {
        InterceptedCall which = InterceptedCall.of(call.nr());
        if (which == null) return Answer.error(Errno.ENOSYS);
        return switch (which) {
            case SYSINFO -> {
                byte[] info = view.sysinfo();
                yield caller.write(call.args()[0], info) ? Answer.value(0) : Answer.error(EFAULT);
            }
            // kill(pid, sig), rt_sigqueueinfo(pid, sig, info): the siginfo payload is not forwarded
            case KILL, RT_SIGQUEUEINFO -> signal(caller, call.intArg(0), call.intArg(1));
            // tgkill(tgid, tid, sig), rt_tgsigqueueinfo(tgid, tid, sig, info): to the thread's process
            case TGKILL, RT_TGSIGQUEUEINFO -> signal(caller, call.intArg(0), call.intArg(2));
            case TKILL -> signal(caller, view.processOf(call.intArg(0)), call.intArg(1));
            // procps pkill falls back to kill(2) on ENOSYS; a pidfd of a remote process cannot exist
            case PIDFD_OPEN -> Answer.error(Errno.ENOSYS);
            case GETPRIORITY -> getPriority(call.intArg(1));
            case SETPRIORITY -> {
                int uid = caller.identity().forNice();
                yield uid == Identity.NONE ? Answer.error(Errno.EPERM) : Answer.status(actions.setPriority(uid, call.intArg(1), call.intArg(2)));
            }
            case IOPRIO_GET -> {
                int r = actions.ioprioGet(caller.identity().forReads(), call.intArg(1));
                yield r >= 0 ? Answer.value(r) : Answer.error(-r);
            }
            case SCHED_GETAFFINITY -> getAffinity(call, caller);
            case SCHED_SETAFFINITY, IOPRIO_SET -> Answer.error(Errno.EPERM);
        };
    }

    private Answer signal(Caller caller, long pid, int signal) throws IOException, Caller.Gone {
        int uid = caller.identity().forSignals(); // kill(2)'s rule: never more than the kernel would grant
        return uid == Identity.NONE ? Answer.error(Errno.EPERM) : Answer.status(actions.signal(uid, pid, signal));
    }

    /** The raw getpriority(2) returns 20 - nice (1..40), so that no success is negative; glibc converts back. */
    private Answer getPriority(long pid) throws IOException {
        try {
            return Answer.value(20 - view.nice(pid));
        } catch (NoSuchFileException e) {
            return Answer.error(Errno.ESRCH);
        }
    }

    /**
     * The raw sched_getaffinity(2): EINVAL when {@code len} is not a multiple of 8 or too short
     * for the cluster's CPUs, else it writes min(len, the mask's size in longs) bytes and returns
     * that count.
     */
    private Answer getAffinity(TrappedCall call, Caller caller) throws IOException, Caller.Gone {
        if (call.intArg(0) == 0) return ownAffinity(call, caller);
        BitSet cpus;
        int clusterCpus;
        String host = actions.hostOf(call.intArg(0)); // cluster pids are allocated by the mount: it says whose
        if (host == null) return Answer.error(Errno.ESRCH);
        try {
            cpus = view.affinity(call.intArg(0), host);
            clusterCpus = view.clusterCpus();
        } catch (NoSuchFileException e) {
            return Answer.error(Errno.ESRCH);
        }
        return mask(call, caller, cpus, clusterCpus);
    }

    /**
     * sched_getaffinity(0) on a view of one scope (only then is it trapped): the view's CPUs,
     * 0..N-1 of its combined stat, as /sys/devices/system/cpu/online shows them there.
     */
    private Answer ownAffinity(TrappedCall call, Caller caller) throws IOException, Caller.Gone {
        int viewCpus = view.clusterCpus();
        BitSet cpus = new BitSet();
        cpus.set(0, viewCpus);
        return mask(call, caller, cpus, viewCpus);
    }

    /** {@code cpus} written as the raw call writes a mask of a system of {@code systemCpus} CPUs, with its errors. */
    private static Answer mask(TrappedCall call, Caller caller, BitSet cpus, int systemCpus) throws IOException, Caller.Gone {
        long len = call.args()[1];
        if (len * 8 < systemCpus || (len & 7) != 0) return Answer.error(Errno.EINVAL);
        int size = Math.toIntExact(Math.min(len, (systemCpus + 63) / 64 * 8L));
        ByteBuffer mask = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        long[] words = cpus.toLongArray();
        for (int i = 0; i < size / 8 && i < words.length; i++) mask.putLong(i * 8, words[i]);
        return caller.write(call.args()[2], mask.array()) ? Answer.value(size) : Answer.error(EFAULT);
    }
}
