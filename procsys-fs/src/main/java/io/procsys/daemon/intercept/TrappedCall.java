package io.procsys.daemon.intercept;

/** One notification: its id, the calling thread (a pid of this host), the call number and its six arguments. */
public record TrappedCall(long id, int pid, int nr, long[] args) {
    /** Argument {@code i} as the kernel reads an int ({@code pid_t}, a signal, a nice value): its low 32 bits. */
    int intArg(int i) {
        return (int) args[i];
    }
}
