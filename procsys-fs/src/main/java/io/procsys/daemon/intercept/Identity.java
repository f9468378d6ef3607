package io.procsys.daemon.intercept;

/**
 * Who a trapped call acts for, as the kernel would judge it, from the caller's /proc/PID/status:
 * its real and effective uid and its effective capabilities. kill(2) lets a sender signal a target
 * whose real or saved uid is the sender's real or effective uid, or any with CAP_KILL
 * (kernel/signal.c kill_ok_by_cred); setpriority(2) looks at the effective uid, or CAP_SYS_NICE
 * (kernel/sys.c set_one_prio_perm). A remote agent checks one uid against the target: the
 * caller acts as root only with the capability, else as a uid kill(2) would grant it, never more.
 */
record Identity(long realUid, long effectiveUid, long capabilities) {
    static final int CAP_KILL = 5, CAP_SYS_NICE = 23;
    /** No uid to act as: (uid_t) -1, which names no user. */
    static final int NONE = -1;

    /** The ids of a status text; null if its Uid line is missing. */
    static Identity parse(String status) {
        long[] uids = numbers(line(status, "Uid:"), 10);
        long[] caps = numbers(line(status, "CapEff:"), 16);
        if (uids == null || uids.length < 2) return null;
        return new Identity(uids[0], uids[1], caps == null || caps.length == 0 ? 0 : caps[0]);
    }

    private boolean has(int capability) {
        return (capabilities & (1L << capability)) != 0;
    }

    /** The uid a signal is sent as: 0 with CAP_KILL, else the effective uid, else the real one; {@link #NONE}: none (root without CAP_KILL). */
    int forSignals() {
        if (has(CAP_KILL)) return 0;
        if (effectiveUid != 0) return (int) effectiveUid;
        return realUid != 0 ? (int) realUid : NONE;
    }

    /** The uid a priority is set as: 0 with CAP_SYS_NICE, else the effective uid; {@link #NONE}: none. */
    int forNice() {
        if (has(CAP_SYS_NICE)) return 0;
        return effectiveUid != 0 ? (int) effectiveUid : NONE;
    }

    /** The uid a read (ioprio_get) is made as: the effective one. */
    int forReads() {
        return (int) effectiveUid;
    }

    private static String line(String text, String key) {
        for (String l : text.split("\n")) if (l.startsWith(key)) return l.substring(key.length());
        return null;
    }

    private static long[] numbers(String line, int radix) {
        if (line == null) return null;
        String[] words = line.strip().split("\\s+");
        long[] out = new long[words.length];
        try {
            for (int i = 0; i < words.length; i++) out[i] = Long.parseUnsignedLong(words[i], radix);
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }
}
