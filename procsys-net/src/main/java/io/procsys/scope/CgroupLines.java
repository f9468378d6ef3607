package io.procsys.scope;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a {@code /proc/PID/cgroup} file: {@code ID:CONTROLLERS:PATH}, split at the first
 * two colons only (a path may hold more). {@code 0::PATH} is the unified (v2) hierarchy; on v1 the
 * controllers are a comma list ({@code cpu,cpuacct}) or {@code name=systemd}.
 */
public final class CgroupLines {
    /** One hierarchy's line. */
    public record Line(String controllers, String path) {
        /** Whether this line is hierarchy {@code hierarchy} ({@link Hierarchies}'s names: "unified", "name=systemd", a controller). */
        public boolean is(String hierarchy) {
            if (hierarchy.equals(Hierarchies.UNIFIED)) return controllers.isEmpty();
            for (String c : controllers.split(",")) {
                if (c.equals(hierarchy)) return true;
            }
            return false;
        }
    }

    private CgroupLines() {}

    /** The well-formed lines of {@code text}; others are skipped. */
    public static List<Line> parse(String text) {
        List<Line> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0 || !line.startsWith("/", second + 1)) continue;
            lines.add(new Line(line.substring(first + 1, second), line.substring(second + 1)));
        }
        return lines;
    }

    /** The path of hierarchy {@code hierarchy} in {@code text}, or null if the file has no such line. */
    public static String pathIn(String text, String hierarchy) {
        for (Line l : parse(text)) {
            if (l.is(hierarchy)) return l.path();
        }
        return null;
    }

    /** Whether cgroup {@code path} is {@code scope} or below it. */
    public static boolean within(String path, String scope) {
        return path.equals(scope) || scope.equals("/") || path.startsWith(scope) && path.charAt(scope.length()) == '/';
    }
}
