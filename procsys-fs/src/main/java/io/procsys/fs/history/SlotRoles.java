package io.procsys.fs.history;

import io.procsys.history.Template;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each integer of a recorded file is, found from the text around it: a counter (CPU
 * jiffies, context switches, faults, I/O, packets: interpolated between two frames), a gauge
 * (memory, loads, states: the frame before's), a pid (made cluster-wide), a start time or the
 * boot time (rebased onto the view's clock), or a field procfs hides from a reader who may not
 * trace the process (zeroed for them). Worked out once per template and file kind.
 */
final class SlotRoles {
    static final byte GAUGE = 0, COUNTER = 1, PID = 2, START_TIME = 3, BTIME = 4, MASK_ZERO = 5, MASK_MM = 6;

    /** What a file is: a system file by its path, or one of a process's. */
    enum Kind { STAT, VMSTAT, ALL_COUNTERS, PRESSURE, PROCESS_STAT, PROCESS_STATUS, GAUGES }

    private record Key(Kind kind, Template template) {}

    private static final int MAX_CACHED = 1 << 16;
    private static final Map<Key, byte[]> CACHE = new ConcurrentHashMap<>();

    private SlotRoles() {}

    static Kind systemKind(String path) {
        return switch (path) {
            case "stat" -> Kind.STAT;
            case "vmstat" -> Kind.VMSTAT;
            case "diskstats", "net/dev" -> Kind.ALL_COUNTERS;
            default -> path.startsWith("pressure/") ? Kind.PRESSURE : Kind.GAUGES;
        };
    }

    static Kind processKind(String item) {
        return switch (item) {
            case "stat" -> Kind.PROCESS_STAT;
            case "status" -> Kind.PROCESS_STATUS;
            default -> Kind.GAUGES;
        };
    }

    static byte[] of(Kind kind, Template t) {
        Key key = new Key(kind, t);
        byte[] roles = CACHE.get(key);
        if (roles != null) return roles;
        roles = compute(kind, t);
        if (CACHE.size() > MAX_CACHED) CACHE.clear();
        CACHE.put(key, roles);
        return roles;
    }

    private static byte[] compute(Kind kind, Template t) {
        byte[] roles = new byte[t.slots()];
        if (kind == Kind.GAUGES) return roles;
        if (kind == Kind.PROCESS_STAT) return processStat(t, roles);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < t.slots(); i++) {
            String literal = text(t.literal(i));
            int nl = literal.lastIndexOf('\n');
            if (nl >= 0) line.setLength(0);
            line.append(nl >= 0 ? literal.substring(nl + 1) : literal);
            roles[i] = role(kind, line.toString(), literal);
            line.append('#');
        }
        return roles;
    }

    /** The role of a slot on a line whose text before it is {@code line} (earlier slots as '#'), right after {@code literal}. */
    private static byte role(Kind kind, String line, String literal) {
        return switch (kind) {
            case STAT -> line.startsWith("btime ") ? BTIME
                    : line.startsWith("cpu") || line.startsWith("intr ") || line.startsWith("ctxt ") || line.startsWith("processes ")
                    || line.startsWith("softirq ") ? COUNTER : GAUGE;
            case VMSTAT -> line.startsWith("nr_") ? GAUGE : COUNTER;
            case ALL_COUNTERS -> COUNTER;
            case PRESSURE -> literal.endsWith("total=") ? COUNTER : GAUGE;
            case PROCESS_STATUS -> statusRole(line);
            default -> GAUGE;
        };
    }

    private static byte statusRole(String line) {
        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) return COUNTER;
        if (line.indexOf('#') >= 0 || line.endsWith("-")) return GAUGE; // only the first value of a line, never a negative one
        int colon = line.indexOf(':');
        String key = colon < 0 ? "" : line.substring(0, colon);
        return switch (key) {
            case "Pid", "PPid", "Tgid", "TracerPid", "NSpid", "NStgid", "NSpgid", "NSsid" -> PID;
            default -> GAUGE;
        };
    }

    /**
     * /proc/PID/stat: fields counted after the command name's last ')' (a name may hold digits,
     * spaces and parentheses), as proc(5) numbers them.
     */
    private static byte[] processStat(Template t, byte[] roles) {
        int paren = -1, at = -1;
        for (int i = t.slots(); i >= 0 && paren < 0; i--) {
            String literal = text(t.literal(i));
            int p = literal.lastIndexOf(')');
            if (p >= 0) {
                paren = i;
                at = p;
            }
        }
        if (paren < 0) return roles;
        if (t.literal(0).length == 0 && paren > 0) roles[0] = PID; // field 1
        int spaces = count(text(t.literal(paren)).substring(at), ' ');
        for (int i = paren; i < t.slots(); i++) {
            if (i > paren) spaces += count(text(t.literal(i)), ' ');
            roles[i] = statField(2 + spaces, text(t.literal(i)).endsWith("-"));
        }
        return roles;
    }

    private static byte statField(int field, boolean negative) {
        if (field >= 10 && field <= 17 || field >= 42 && field <= 44) return COUNTER;
        if (field == 4 || field == 5 || field == 6 || field == 8) return negative ? GAUGE : PID;
        if (field == 22) return START_TIME;
        if (field == 26 || field == 27) return MASK_MM;
        if (field >= 28 && field <= 30 || field == 35 || field >= 45 && field <= 52) return MASK_ZERO;
        return GAUGE;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) n++;
        return n;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
