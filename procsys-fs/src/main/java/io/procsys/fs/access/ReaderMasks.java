package io.procsys.fs.access;

/**
 * The text procfs gives a reader that fails a file's check, made from the text a privileged
 * reader got (an agent reads as root): {@link ProcfsRules.Check} says which applies.
 */
public final class ReaderMasks {
    /** stat fields (numbered from 1, as in proc(5)) do_task_stat shows only to a permitted reader. */
    private static final int START_CODE = 26, END_CODE = 27, START_STACK = 28, KSTK_ESP = 29, KSTK_EIP = 30, WCHAN = 35,
            START_DATA = 45, EXIT_CODE = 52;
    private static final String ZERO_ADDRESS = "0x0000000000000000";

    private ReaderMasks() {}

    /** {@code text} as a reader failing {@code check} reads it; null when that reader gets an error instead (the check's errno). */
    public static String masked(ProcfsRules.Check check, String text) {
        return switch (check) {
            case NONE -> text;
            case STAT_FIELDS -> stat(text);
            case WCHAN -> "0";
            case KERNEL_ADDRESSES -> kernelAddresses(text);
            case PTRACE, SCHED_NICE, KEYS -> null;
        };
    }

    /** The errno of a reader failing {@code check}, where it gets no text (EACCES, EPERM for timerslack_ns). */
    public static int errno(ProcfsRules.Check check) {
        return check == ProcfsRules.Check.SCHED_NICE ? io.procsys.posix.Errno.EPERM : io.procsys.posix.Errno.EACCES;
    }

    /** A process's stat line with the fields of an unpermitted reader zeroed; a line that does not parse is kept as it is. */
    static String stat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) return line;
        String[] fields = line.substring(close + 1).trim().split(" ");
        StringBuilder out = new StringBuilder(line.length()).append(line, 0, close + 1);
        for (int i = 0; i < fields.length; i++) {
            int number = i + 3; // the first field after "(comm)" is the 3rd
            String value = fields[i];
            if (number == START_CODE || number == END_CODE) value = isZero(value) ? "0" : "1";
            else if (number == START_STACK || number == KSTK_ESP || number == KSTK_EIP || number == WCHAN
                    || (number >= START_DATA && number <= EXIT_CODE)) value = "0";
            out.append(' ').append(value);
        }
        return out.append(line.endsWith("\n") ? "\n" : "").toString();
    }

    private static boolean isZero(String value) {
        return value.chars().allMatch(c -> c == '0');
    }

    /**
     * kallsyms ("ADDRESS TYPE NAME") and modules ("NAME SIZE REFS DEPS STATE ADDRESS ...") with every
     * address 0, as the kernel prints them for a reader without CAP_SYSLOG.
     */
    static String kernelAddresses(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            if (!out.isEmpty()) out.append('\n');
            String[] words = line.split(" ", -1);
            if (words.length >= 3 && words[0].length() == 16 && words[0].chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                words[0] = "0".repeat(16); // kallsyms
            } else if (words.length >= 6 && words[5].startsWith("0x")) {
                words[5] = ZERO_ADDRESS; // modules
            }
            out.append(String.join(" ", words));
        }
        return out.toString();
    }

    /**
     * /proc/keys as {@code reader} may view it: a key's user permissions if it owns the key, its
     * group permissions if in the key's group, else the others' (security/keys/permission.c);
     * rows whose applicable byte lacks VIEW are left out.
     */
    public static String keys(String text, Reader reader) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 8) continue;
            try {
                long perm = Long.parseLong(w[4], 16);
                long uid = Long.parseLong(w[5]), gid = Long.parseLong(w[6]);
                int shift = uid == Integer.toUnsignedLong(reader.uid()) ? 16 : gid >= 0 && reader.inGroup((int) gid) ? 8 : 0;
                if (((perm >> shift) & 0x01) != 0) out.append(line).append('\n');
            } catch (NumberFormatException e) {
                // not a key row: left out
            }
        }
        return out.toString();
    }
}
