package io.procsys.fs.access;

import io.procsys.posix.Errno;
import io.procsys.posix.ThreadCredentials;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs a read of a local proc tree with the reader's credentials, on the calling thread (a FUSE
 * worker), so that the kernel makes for the reader every check it makes at open and at each read
 * (docs/security.md): groups, egid and euid switched with the raw per-thread calls
 * ({@link ThreadCredentials}), the read, the daemon's own credentials back. Nothing but the read
 * runs in between: no logging, no lookup of a class that may need a file, no other request.
 * Root readers, and every reader of a daemon that is not root (its mount admits its own user
 * only), read with the daemon's credentials as before.
 */
public final class AsReader {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.access");
    private static final AtomicBoolean SWITCH_FAILED = new AtomicBoolean(), RESTORE_FAILED = new AtomicBoolean();

    private AsReader() {}

    /** Whether {@code reader}'s reads run under its own credentials. */
    public static boolean switches(Reader reader) {
        return !reader.privileged() && ThreadCredentials.canSwitch();
    }

    /** {@code read} (a result or -errno) as {@code reader}; -EACCES if this thread cannot become the reader. */
    public static int call(Reader reader, IntSupplier read) {
        return (int) callLong(reader, read::getAsInt);
    }

    /** As {@link #call}, for a long result (a byte count) or -errno. */
    public static long callLong(Reader reader, LongSupplier read) {
        if (!switches(reader)) return read.getAsLong();
        if (!become(reader)) return -Errno.EACCES;
        try {
            return read.getAsLong();
        } finally {
            restore();
        }
    }

    /** {@code read} as {@code reader}; {@code refused} (EACCES) if this thread cannot become the reader. */
    public static <T> T get(Reader reader, Supplier<T> read, Supplier<T> refused) {
        if (!switches(reader)) return read.get();
        if (!become(reader)) return refused.get();
        try {
            return read.get();
        } finally {
            restore();
        }
    }

    private static boolean become(Reader reader) {
        int[] groups = reader.groups(); // read as the daemon: the caller's status
        int r = ThreadCredentials.become(reader.uid(), reader.gid(), groups);
        if (r == 0) return true;
        if (SWITCH_FAILED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "cannot take a reader's credentials (errno " + -r + "): such reads are refused with EACCES");
        }
        return false;
    }

    private static void restore() {
        int r = ThreadCredentials.restore();
        if (r != 0 && RESTORE_FAILED.compareAndSet(false, true)) {
            // the thread keeps the reader's credentials, which grant less; the next switch to another reader fails and refuses
            LOG.log(System.Logger.Level.ERROR, "cannot take the daemon's credentials back (errno " + -r + ") on " + Thread.currentThread().getName());
        }
    }
}
