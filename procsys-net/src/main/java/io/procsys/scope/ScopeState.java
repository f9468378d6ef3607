package io.procsys.scope;

import java.util.List;

/**
 * A scope on one host, as `procsys status` shows it: whether it is there, the host's cgroup
 * layout, the cgroups it resolved to, how many processes are in them, and a line saying why a
 * host is left out (or which files it cannot give).
 */
public record ScopeState(Outcome outcome, String layout, List<String> paths, int members, String detail) {
    /** Most paths a state names (a pod glob may match many pods). */
    public static final int MAX_PATHS = 256;

    public enum Outcome {
        /** Found: the host is in the view with the scope's processes and files. */
        PRESENT,
        /** No cgroup matches (the unit is stopped, no such pod): the host is left out. */
        ABSENT,
        /** A unit name matches more than one cgroup: the host is left out until a path is given. */
        AMBIGUOUS,
        /** The cgroups cannot be read (no cgroup root, another cgroup namespace): the host is left out. */
        UNREADABLE,
        /** The agent cannot serve a scope (too old, a tree node): the host is left out. */
        REFUSED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Longest detail or path kept (what the wire carries as one string is 4 KiB). */
    public static final int MAX_TEXT = 2000;

    public ScopeState {
        paths = (paths.size() > MAX_PATHS ? paths.subList(0, MAX_PATHS) : paths).stream().map(ScopeState::cut).toList();
        layout = cut(layout);
        detail = cut(detail);
    }

    private static String cut(String text) {
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT - 3) + "..." : text;
    }

    /** A state without cgroups: left out for {@code why}. */
    public static ScopeState leftOut(Outcome outcome, String layout, String why) {
        return new ScopeState(outcome, layout, List.of(), 0, why);
    }

    public boolean present() {
        return outcome == Outcome.PRESENT;
    }

    /** One line: "present v2 0::/system.slice/web.service, 3 processes" or "absent: why". */
    public String describe() {
        StringBuilder s = new StringBuilder(outcome.label());
        if (!layout.isEmpty()) s.append(' ').append(layout);
        if (!paths.isEmpty()) s.append(' ').append(String.join(",", paths));
        if (present()) s.append(", ").append(members).append(members == 1 ? " process" : " processes");
        if (!detail.isEmpty()) s.append(present() ? "; " : ": ").append(detail);
        return s.toString();
    }
}
