package io.procsys.cli;

import java.util.List;
import java.util.Locale;

/** Signal names and numbers as kill(1) takes them (Linux, x86_64 and aarch64 numbering). */
final class Signals {
    static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
            "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
            "PROF", "WINCH", "IO", "PWR", "SYS");
    static final int RTMIN = 34, RTMAX = 64;

    private Signals() {}

    /** The number of a signal: a number 0..64, a name with or without SIG (any case), IOT, POLL, CLD, RTMIN+n, RTMAX-n; -1 if none. */
    static int parse(String spec) {
        String s = spec.toUpperCase(Locale.ROOT);
        if (s.matches("\\d{1,3}")) {
            int n = Integer.parseInt(s);
            return n <= RTMAX ? n : -1;
        }
        if (s.startsWith("SIG")) s = s.substring(3);
        switch (s) {
            case "IOT": return 6;
            case "POLL": return 29;
            case "CLD": return 17;
            case "RTMIN": return RTMIN;
            case "RTMAX": return RTMAX;
            default: break;
        }
        if (s.matches("RTMIN\\+\\d{1,2}")) {
            int n = RTMIN + Integer.parseInt(s.substring(6));
            return n <= RTMAX ? n : -1;
        }
        if (s.matches("RTMAX-\\d{1,2}")) {
            int n = RTMAX - Integer.parseInt(s.substring(6));
            return n >= RTMIN ? n : -1;
        }
        int i = NAMES.indexOf(s);
        return i > 0 ? i : -1;
    }
}
