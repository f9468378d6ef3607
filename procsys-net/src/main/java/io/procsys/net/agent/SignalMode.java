package io.procsys.net.agent;

/**
 * Whether an agent acts on its processes for its clients (`procsys agent --allow-signals`):
 * signals and setpriority. Off by default.
 */
public enum SignalMode {
    /** Refused (EPERM): the default. */
    OFF,
    /** Allowed to a client whose certificate has the signal role, for users other than root. */
    USERS,
    /** As USERS, and root on the viewer acts as root here (`--allow-signals=root`). */
    ROOT;

    /** The mode an option value names: "" or "users" → USERS, "root" → ROOT, "off" → OFF; null if none. */
    public static SignalMode parse(String value) {
        return switch (value) {
            case "", "users", "on", "true" -> USERS;
            case "root" -> ROOT;
            case "off", "false" -> OFF;
            default -> null;
        };
    }
}
