package io.procsys.net.agent;

/**
 * How an agent acts for its viewers: {@link SignalMode} (off, users, root), and the lowest uid it
 * acts for ({@code --act-min-uid}, default 1000): service accounts (www-data, daemon, nobody at
 * 65534, the overflow uid) share names across hosts without being one user, so a viewer's
 * www-data never acts on this host's www-data. Root acts only through the root mode.
 */
public record ActionRules(SignalMode mode, int minUid) {
    public static final int DEFAULT_MIN_UID = 1000;
    /** The kernel's overflow uid (nobody): what an id with no mapping shows as; never a user to act for. */
    static final int OVERFLOW_UID = 65534;
    public static final ActionRules OFF = new ActionRules(SignalMode.OFF, DEFAULT_MIN_UID);

    public static ActionRules of(SignalMode mode) {
        return new ActionRules(mode, DEFAULT_MIN_UID);
    }

    /** Whether {@code uid} (unsigned) is a user acted for: at or above the floor, not nobody, not -1. */
    boolean actsFor(int uid) {
        return Integer.compareUnsigned(uid, minUid) >= 0 && uid != OVERFLOW_UID && uid != -1;
    }
}
