package io.procsys.fs;

/**
 * How long the kernel may cache a name (entry timeout) and attributes (attr timeout), per kind of
 * node. Reads are never cached: files are opened with direct_io and rendered per open.
 */
public final class CachePolicy {
    /**
     * Global files and directories exist as long as the kernel runs and their attributes do not
     * change (size 0, fixed mode and owner), so they can be cached for long; 10 s bounds the
     * delay before a newly loaded module's /proc/sys entries show their real attributes.
     */
    public static final double GLOBAL_SECONDS = 10.0;
    /**
     * Process nodes come and go with processes: a cached name only delays the ENOENT of a pid
     * that just exited until its files are opened (those calls always reach the source), and
     * an owner change after a setuid exec shows within a second. ps re-reads every pid on each
     * run, so 1 s keeps it correct while saving repeated lookups inside one run.
     */
    public static final double PROCESS_SECONDS = 1.0;
    /**
     * self and thread-self are always symlinks, so their names may be cached like global ones;
     * their text is not (symlink caching is off), so each path walk asks who the caller is.
     */
    public static final double SELF_SECONDS = GLOBAL_SECONDS;
    /**
     * Another host's files arrive over the network: a second of caching hides round trips from
     * tools that stat before they open, and a host that goes away shows within a second.
     */
    public static final double HOST_SECONDS = 1.0;
    /** The root's link count follows the process count: keep it short. */
    public static final double ROOT_SECONDS = 1.0;

    private CachePolicy() {}

    public static double entrySeconds(NodeKind kind) {
        return switch (kind) {
            case ROOT -> ROOT_SECONDS;
            case SELF, THREAD_SELF -> SELF_SECONDS;
            case PROCESS -> PROCESS_SECONDS;
            case GLOBAL -> GLOBAL_SECONDS;
            case HOSTS, HOST -> HOST_SECONDS;
        };
    }

    public static double attrSeconds(NodeKind kind) {
        return entrySeconds(kind);
    }

    /**
     * As {@link #entrySeconds(NodeKind)}, where what readers see of processes may differ
     * ({@code perReader}: the proc mount has hidepid=): then nothing of a process is cached, or
     * the name one reader saw would serve another without asking (fs/proc/root.c hides per reader).
     */
    public static double entrySeconds(NodeKind kind, boolean perReader) {
        return perReader && (kind == NodeKind.PROCESS || kind == NodeKind.HOST) ? 0 : entrySeconds(kind);
    }

    public static double attrSeconds(NodeKind kind, boolean perReader) {
        return entrySeconds(kind, perReader);
    }
}
