package io.procsys.daemon.intercept;

import java.io.IOException;

/**
 * The process whose call is trapped, as seen while its notification is pending. Both methods
 * check with SECCOMP_IOCTL_NOTIF_ID_VALID that the call is still waiting (so the pid was not
 * reused) and throw {@link Gone} if it is not.
 */
interface Caller {
    /** Its uids and capabilities, from /proc/PID/status, checked after reading. */
    Identity identity() throws IOException, Gone;

    /**
     * Writes {@code bytes} at {@code address} of the caller (its own buffer argument) through
     * /proc/PID/mem: false when the address is not writable there (the call answers EFAULT).
     */
    boolean write(long address, byte[] bytes) throws IOException, Gone;

    /** The caller's status could not be read while its call still waits (EMFILE, say): the call is answered EAGAIN. */
    final class Unreadable extends IOException {
        Unreadable(String why) {
            super(why);
        }
    }

    /** The call is no longer waiting (the caller died or a signal interrupted it): nothing to answer. */
    final class Gone extends Exception {
        Gone() {
            super(null, null, false, false);
        }
    }
}
