package io.procsys.daemon.intercept;

/** What the supervisor sends back: a return value or an errno, or "let the kernel run it" (continue). */
public record Answer(long value, int error, boolean proceed) {
    static Answer value(long value) {
        return new Answer(value, 0, false);
    }

    static Answer error(int errno) {
        return new Answer(0, errno, false);
    }

    /** 0 or an errno (RemoteActions' convention) as an answer. */
    static Answer status(int zeroOrErrno) {
        return zeroOrErrno == 0 ? value(0) : error(zeroOrErrno);
    }

    static final Answer CONTINUE = new Answer(0, 0, true);
}
