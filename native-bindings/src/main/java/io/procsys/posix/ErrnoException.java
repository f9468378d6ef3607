package io.procsys.posix;

/**
 * A failure to be answered with an errno: a request a host refused or could not serve (a remote
 * agent's reply, a lost connection, a missed deadline, or a local file that could not be read).
 * Carried by the futures of the cluster layer; no stack trace, it is an answer, not a bug.
 */
public final class ErrnoException extends RuntimeException {
    private final int errno;
    private final String reason;

    public ErrnoException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")", null, false, false);
        this.errno = errno;
        this.reason = message;
    }

    public int errno() {
        return errno;
    }

    /**
     * What a future stage failed with: a {@code CompletableFuture} hands later stages its failure
     * wrapped in a {@link java.util.concurrent.CompletionException}; this is the failure itself.
     */
    public static Throwable unwrapped(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The message without the errno's name (to pass on with the errno, which adds it again). */
    public String reason() {
        return reason;
    }
}
