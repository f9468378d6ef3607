package io.procsys.daemon.intercept;

import io.procsys.posix.Seccomp;

import java.util.HashMap;
import java.util.Map;

/**
 * The system calls `procsys exec` may trap, with their numbers on x86_64 (asm/unistd_64.h) and
 * aarch64 (asm-generic/unistd.h): the filter and the answers take this machine's
 * ({@link Seccomp#AUDIT_ARCH}).
 */
enum InterceptedCall {
    SYSINFO(99, 179), KILL(62, 129), TKILL(200, 130), TGKILL(234, 131), RT_SIGQUEUEINFO(129, 138), RT_TGSIGQUEUEINFO(297, 240),
    PIDFD_OPEN(434, 434), SCHED_SETAFFINITY(203, 122), SCHED_GETAFFINITY(204, 123), GETPRIORITY(140, 141), SETPRIORITY(141, 140),
    IOPRIO_SET(251, 30), IOPRIO_GET(252, 31);

    private final int x86_64, aarch64;
    private static final Map<Integer, InterceptedCall> BY_NUMBER = new HashMap<>();

    static {
        for (InterceptedCall call : values()) BY_NUMBER.put(call.number(), call);
    }

    InterceptedCall(int x86_64, int aarch64) {
        this.x86_64 = x86_64;
        this.aarch64 = aarch64;
    }

    /** Its number on this machine. */
    int number() {
        return Seccomp.AUDIT_ARCH == Seccomp.AUDIT_ARCH_AARCH64 ? aarch64 : x86_64;
    }

    /** The call of number {@code nr} on this machine, or null (not one this filter traps). */
    static InterceptedCall of(int nr) {
        return BY_NUMBER.get(nr);
    }
}
