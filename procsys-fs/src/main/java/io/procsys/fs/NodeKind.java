package io.procsys.fs;

/** What a node is in a proc tree; decides how long the kernel may cache it (see {@link CachePolicy}). */
public enum NodeKind {
    /** The mount's root directory. */
    ROOT,
    /** {@code self}: a symlink whose text is the caller's pid. */
    SELF,
    /** {@code thread-self}: a symlink whose text is the caller's "pid/task/tid". */
    THREAD_SELF,
    /** A top-level pid directory or anything inside one: lives and dies with a process. */
    PROCESS,
    /** Everything else (meminfo, sys/..., net/...): there as long as the kernel runs. */
    GLOBAL,
    /** The "hosts" directory of a cluster mount. */
    HOSTS,
    /** A host's own tree under hosts/ (its root included), served by that host's backend. */
    HOST;

    /** The kind of {@code name} inside a parent of kind {@code parent}. */
    public static NodeKind of(NodeKind parent, String name, boolean liveSelf) {
        if (parent == HOSTS || parent == HOST) return HOST;
        if (parent != ROOT) return parent == PROCESS ? PROCESS : GLOBAL;
        if (liveSelf && name.equals("self")) return SELF;
        if (liveSelf && name.equals("thread-self")) return THREAD_SELF;
        return isPid(name) ? PROCESS : GLOBAL;
    }

    /** A pid directory name: digits, not starting with 0 (as ps's readdir filter takes them). */
    public static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > 10 || name.charAt(0) < '1' || name.charAt(0) > '9') return false;
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
