package io.procsys.fuse;

import java.util.Locale;

/**
 * The kinds of request the kernel sends, as an {@link OperationTimer} is told of them. Every
 * request that would change the filesystem is one kind, {@link #MODIFY} (a read-only mount
 * refuses them all alike).
 */
public enum Operation {
    LOOKUP, FORGET, GETATTR, READLINK, OPEN, READ, RELEASE, OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, STATFS, POLL, MODIFY;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name: "lookup", "read", ... (libfuse's own names for the operations). */
    public String label() {
        return label;
    }
}
