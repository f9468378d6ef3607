package io.procsys.daemon.intercept;

import io.procsys.posix.Seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classic BPF program `procsys exec` installs on a cluster view: it hands to the supervisor
 * ({@code SECCOMP_RET_USER_NOTIF}) only sysinfo(2) and the calls whose pid argument is a remote
 * cluster pid; everything else (another architecture, a local pid, kill(-1), a process group)
 * never leaves the kernel. The numbers are this machine's (x86_64 or aarch64; x32 calls pass).
 *
 * <p>The pid is compared on the low 32 bits of the 64-bit argument, which is what the kernel
 * reads as {@code pid_t}: remote when {@code 2^22 <= low32 < 2^30} as an unsigned number, i.e. a
 * positive int in the cluster range. Negative pids (process groups, -1) are never trapped: no
 * local group has such an id, so the kernel answers ESRCH, and a group is not forwarded.
 */
public final class InterceptFilter {
    /** This machine's numbers of the calls trapped ({@link InterceptedCall}). */
    public static final int SYS_KILL = InterceptedCall.KILL.number(), SYS_SYSINFO = InterceptedCall.SYSINFO.number(),
            SYS_RT_SIGQUEUEINFO = InterceptedCall.RT_SIGQUEUEINFO.number(), SYS_GETPRIORITY = InterceptedCall.GETPRIORITY.number(),
            SYS_SETPRIORITY = InterceptedCall.SETPRIORITY.number(), SYS_TKILL = InterceptedCall.TKILL.number(),
            SYS_SCHED_SETAFFINITY = InterceptedCall.SCHED_SETAFFINITY.number(), SYS_SCHED_GETAFFINITY = InterceptedCall.SCHED_GETAFFINITY.number(),
            SYS_TGKILL = InterceptedCall.TGKILL.number(), SYS_IOPRIO_SET = InterceptedCall.IOPRIO_SET.number(),
            SYS_IOPRIO_GET = InterceptedCall.IOPRIO_GET.number(), SYS_RT_TGSIGQUEUEINFO = InterceptedCall.RT_TGSIGQUEUEINFO.number(),
            SYS_PIDFD_OPEN = InterceptedCall.PIDFD_OPEN.number();
    /** Calls whose first argument is the pid (a tgid for tgkill and rt_tgsigqueueinfo). */
    static final int[] PID_FIRST = {SYS_KILL, SYS_TKILL, SYS_TGKILL, SYS_RT_SIGQUEUEINFO, SYS_RT_TGSIGQUEUEINFO,
            SYS_PIDFD_OPEN, SYS_SCHED_GETAFFINITY, SYS_SCHED_SETAFFINITY};
    static final int PRIO_PROCESS = 0, IOPRIO_WHO_PROCESS = 1;
    static final int REMOTE_LOW = 1 << 22, REMOTE_END = 1 << 30;

    // classic BPF opcodes (linux/filter.h, linux/bpf_common.h)
    static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, RET_K = 0x06;

    private InterceptFilter() {}

    /** The program as {@code struct sock_filter}s (code u16, jt u8, jf u8, k u32; native order). */
    public static byte[] program() {
        return program(false);
    }

    /**
     * As {@link #program()}; with {@code ownAffinity} (a view of one scope, docs/scope.md) also
     * sched_getaffinity(0, ...), the caller's own mask: the supervisor answers it with the view's
     * CPUs, so nproc, the JVM and Go count the scope's.
     */
    public static byte[] program(boolean ownAffinity) {
        Assembler a = new Assembler();
        a.load(Seccomp.DATA_ARCH);
        a.jumpIf(JEQ_K, Seccomp.AUDIT_ARCH, null, "allow");
        a.load(Seccomp.DATA_NR);
        a.jumpIf(JGE_K, Seccomp.X32_SYSCALL_BIT, "allow", null); // x32's calls (x86_64's arch, numbers from 2^30): never trapped
        a.jumpIf(JEQ_K, SYS_SYSINFO, "notify", null);
        if (ownAffinity) a.jumpIf(JEQ_K, SYS_SCHED_GETAFFINITY, "affinity", null);
        for (int nr : PID_FIRST) a.jumpIf(JEQ_K, nr, "pid0", null);
        a.jumpIf(JEQ_K, SYS_GETPRIORITY, "prio", null);
        a.jumpIf(JEQ_K, SYS_SETPRIORITY, "prio", null);
        a.jumpIf(JEQ_K, SYS_IOPRIO_GET, "ioprio", null);
        a.jumpIf(JEQ_K, SYS_IOPRIO_SET, "ioprio", null);
        a.ret(Seccomp.RET_ALLOW);
        a.label("prio");
        a.load(Seccomp.DATA_ARGS);
        a.jumpIf(JEQ_K, PRIO_PROCESS, "pid1", "allow");
        a.label("ioprio");
        a.load(Seccomp.DATA_ARGS);
        a.jumpIf(JEQ_K, IOPRIO_WHO_PROCESS, "pid1", "allow");
        if (ownAffinity) {
            a.label("affinity");
            a.load(Seccomp.DATA_ARGS);
            a.jumpIf(JEQ_K, 0, "notify", "pid0");
        }
        a.label("pid0");
        a.load(Seccomp.DATA_ARGS);
        a.jumpIf(JGE_K, REMOTE_LOW, null, "allow");
        a.jumpIf(JGE_K, REMOTE_END, "allow", "notify");
        a.label("pid1");
        a.load(Seccomp.DATA_ARGS + 8);
        a.jumpIf(JGE_K, REMOTE_LOW, null, "allow");
        a.jumpIf(JGE_K, REMOTE_END, "allow", "notify");
        a.label("notify");
        a.ret(Seccomp.RET_USER_NOTIF);
        a.label("allow");
        a.ret(Seccomp.RET_ALLOW);
        return a.assemble();
    }

    /** A forward-only classic BPF assembler with labels; a null target is the next instruction. */
    private static final class Assembler {
        private record Insn(int code, String jt, String jf, int k) {}

        private final List<Insn> insns = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void load(int offset) { insns.add(new Insn(LD_W_ABS, null, null, offset)); }

        void jumpIf(int code, int k, String jt, String jf) { insns.add(new Insn(code, jt, jf, k)); }

        void ret(int k) { insns.add(new Insn(RET_K, null, null, k)); }

        void label(String name) { labels.put(name, insns.size()); }

        byte[] assemble() {
            ByteBuffer out = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < insns.size(); i++) {
                Insn in = insns.get(i);
                out.putShort((short) in.code).put(offset(i, in.jt)).put(offset(i, in.jf)).putInt(in.k);
            }
            return out.array();
        }

        private byte offset(int at, String label) {
            if (label == null) return 0;
            int jump = labels.get(label) - at - 1;
            if (jump < 0 || jump > 255) throw new IllegalStateException("jump to " + label + " out of range: " + jump);
            return (byte) jump;
        }
    }
}
