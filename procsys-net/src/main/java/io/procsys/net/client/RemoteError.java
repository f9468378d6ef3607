package io.procsys.net.client;

import io.procsys.fuse.Errno;

/** A request failed on the agent (or the connection to it): carries the errno to pass on. */
public final class RemoteError extends RuntimeException {
    private final int errno;

    public RemoteError(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")", null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
