package io.procsys.daemon.intercept;

import io.procsys.posix.Seccomp;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.procsys.daemon.intercept.InterceptFilter.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter run by a classic BPF interpreter on seccomp_data (the kernel runs it in InterceptIT). */
class InterceptFilterTest {
    static final long REMOTE = (1L << 22) + 1234, LAST_REMOTE = (1L << 30) - 1, LOCAL = 4321;

    /** Runs the program on (arch, nr, args) as the kernel would: the return value. */
    static int run(int arch, int nr, long... args) {
        return run(InterceptFilter.program(), arch, nr, args);
    }

    static int run(byte[] program, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(Seccomp.DATA_NR, nr).putInt(Seccomp.DATA_ARCH, arch);
        for (int i = 0; i < args.length; i++) data.putLong(Seccomp.DATA_ARGS + 8 * i, args[i]);
        ByteBuffer prog = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int a = 0;
        for (int pc = 0; ; pc++) {
            int code = Short.toUnsignedInt(prog.getShort(pc * 8));
            int jt = Byte.toUnsignedInt(prog.get(pc * 8 + 2)), jf = Byte.toUnsignedInt(prog.get(pc * 8 + 3));
            int k = prog.getInt(pc * 8 + 4);
            switch (code) {
                case LD_W_ABS -> a = data.getInt(k);
                case JEQ_K -> pc += a == k ? jt : jf;
                case JGE_K -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                case RET_K -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
    }

    static boolean trapped(int nr, long... args) {
        return run(Seccomp.AUDIT_ARCH, nr, args) == Seccomp.RET_USER_NOTIF;
    }

    @Test
    void theProgramIsSmallAndEndsInReturns() {
        byte[] p = InterceptFilter.program();
        assertEquals(0, p.length % 8);
        assertTrue(p.length / 8 < 40, "instructions: " + p.length / 8);
    }

    /** A view of one scope: the caller's own sched_getaffinity(0) is trapped too; nothing else changes. */
    @Test
    void ownAffinityIsTrappedOnlyForAScope() {
        byte[] scoped = InterceptFilter.program(true);
        assertEquals(Seccomp.RET_USER_NOTIF, run(scoped, Seccomp.AUDIT_ARCH_X86_64, SYS_SCHED_GETAFFINITY, 0, 128, 0x1000));
        assertEquals(Seccomp.RET_USER_NOTIF, run(scoped, Seccomp.AUDIT_ARCH_X86_64, SYS_SCHED_GETAFFINITY, REMOTE, 128, 0x1000));
        assertEquals(Seccomp.RET_ALLOW, run(scoped, Seccomp.AUDIT_ARCH_X86_64, SYS_SCHED_GETAFFINITY, LOCAL, 128, 0x1000), "another local process: the kernel's");
        assertEquals(Seccomp.RET_ALLOW, run(scoped, Seccomp.AUDIT_ARCH_X86_64, SYS_SCHED_SETAFFINITY, 0, 128, 0x1000), "setting its own: the kernel's");
        assertEquals(Seccomp.RET_USER_NOTIF, run(scoped, Seccomp.AUDIT_ARCH_X86_64, SYS_KILL, REMOTE, 0));
        assertEquals(Seccomp.RET_ALLOW, run(Seccomp.AUDIT_ARCH_X86_64, SYS_SCHED_GETAFFINITY, 0, 128, 0x1000), "a whole view: this host's CPUs");
    }

    @Test
    void sysinfoIsAlwaysTrapped() {
        assertTrue(trapped(SYS_SYSINFO, 0x7ffd0000L));
    }

    @Test
    void killOfARemotePidIsTrappedLocalAndGroupsAreNot() {
        assertTrue(trapped(SYS_KILL, REMOTE, 0));
        assertTrue(trapped(SYS_KILL, LAST_REMOTE, 15));
        assertTrue(trapped(SYS_KILL, 1L << 22, 15));
        assertEquals(false, trapped(SYS_KILL, (1L << 22) - 1, 15));
        assertEquals(false, trapped(SYS_KILL, LOCAL, 15));
        assertEquals(false, trapped(SYS_KILL, 1L << 30, 15));
        assertEquals(false, trapped(SYS_KILL, 0xffffffffL, 9), "kill(-1)");
        assertEquals(false, trapped(SYS_KILL, -1L, 9), "kill(-1), sign-extended");
        assertEquals(false, trapped(SYS_KILL, -REMOTE, 9), "a process group beyond this host");
        assertEquals(false, trapped(SYS_KILL, 0, 9));
    }

    @Test
    void onlyTheLow32BitsCount() {
        assertTrue(trapped(SYS_KILL, (0xdeadL << 32) | REMOTE, 0), "garbage above a remote pid");
        assertEquals(false, trapped(SYS_KILL, (1L << 32) | LOCAL, 0), "garbage above a local pid");
    }

    @Test
    void everyPidFirstCallIsTrappedOnARemotePid() {
        for (int nr : new int[]{SYS_TKILL, SYS_TGKILL, SYS_RT_SIGQUEUEINFO, SYS_RT_TGSIGQUEUEINFO, SYS_PIDFD_OPEN,
                SYS_SCHED_GETAFFINITY, SYS_SCHED_SETAFFINITY}) {
            assertTrue(trapped(nr, REMOTE, 8, 0x1000), "call " + nr);
            assertEquals(false, trapped(nr, LOCAL, 8, 0x1000), "call " + nr);
        }
    }

    @Test
    void priorityCallsOnlyForAProcess() {
        assertTrue(trapped(SYS_GETPRIORITY, PRIO_PROCESS, REMOTE));
        assertTrue(trapped(SYS_SETPRIORITY, PRIO_PROCESS, REMOTE, 5));
        assertEquals(false, trapped(SYS_GETPRIORITY, 1, REMOTE), "PRIO_PGRP");
        assertEquals(false, trapped(SYS_SETPRIORITY, 2, REMOTE, 5), "PRIO_USER: a uid, not a pid");
        assertEquals(false, trapped(SYS_GETPRIORITY, PRIO_PROCESS, LOCAL));
        assertTrue(trapped(SYS_IOPRIO_GET, IOPRIO_WHO_PROCESS, REMOTE));
        assertTrue(trapped(SYS_IOPRIO_SET, IOPRIO_WHO_PROCESS, REMOTE, 0));
        assertEquals(false, trapped(SYS_IOPRIO_GET, 2, REMOTE), "IOPRIO_WHO_PGRP");
        assertEquals(false, trapped(SYS_IOPRIO_GET, IOPRIO_WHO_PROCESS, LOCAL));
    }

    @Test
    void otherCallsAndArchitecturesAreAllowed() {
        assertEquals(Seccomp.RET_ALLOW, run(Seccomp.AUDIT_ARCH_X86_64, 0, REMOTE), "read");
        assertEquals(Seccomp.RET_ALLOW, run(Seccomp.AUDIT_ARCH_X86_64, 39, REMOTE), "getpid");
        assertEquals(Seccomp.RET_ALLOW, run(0x40000003, SYS_SYSINFO, 0), "i386 (its 99 would be another call)");
        assertEquals(Seccomp.RET_ALLOW, run(0x40000003, SYS_KILL, REMOTE, 9));
    }

    @Test
    void x32CallsWithTheirHighBitAreNeverTrapped() {
        assertEquals(Seccomp.RET_ALLOW, run(Seccomp.AUDIT_ARCH, Seccomp.X32_SYSCALL_BIT | SYS_KILL, REMOTE, 9), "x32's kill is not ours to answer");
        assertEquals(Seccomp.RET_ALLOW, run(Seccomp.AUDIT_ARCH, Seccomp.X32_SYSCALL_BIT | SYS_SYSINFO, 0x1000));
    }

    @Test
    void theNumbersAreThisMachinesArchitecturesOwn() {
        boolean aarch64 = "aarch64".equals(System.getProperty("os.arch"));
        assertEquals(aarch64 ? 129 : 62, SYS_KILL);
        assertEquals(aarch64 ? 179 : 99, SYS_SYSINFO);
        assertEquals(aarch64 ? Seccomp.AUDIT_ARCH_AARCH64 : Seccomp.AUDIT_ARCH_X86_64, Seccomp.AUDIT_ARCH);
        int other = aarch64 ? Seccomp.AUDIT_ARCH_X86_64 : Seccomp.AUDIT_ARCH_AARCH64;
        assertEquals(Seccomp.RET_ALLOW, run(other, SYS_KILL, REMOTE, 9), "the other 64-bit architecture's numbers mean other calls");
    }
}
