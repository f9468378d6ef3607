package io.procsys.net.agent;

/**
 * What the agent reads of a process before acting on it: its start time (field 22 of stat),
 * its uids (the Uid: line of status: real, effective, saved), its nice value (field 19) and its
 * comm (for the log).
 */
record TargetProcess(long startTime, int realUid, int effectiveUid, int savedUid, int nice, String comm) {
    /** Parses stat and status as /proc writes them; null if they do not parse. */
    static TargetProcess parse(String stat, String status) {
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open) return null;
        String comm = stat.substring(open + 1, close);
        // fields from 3 (state) on, after the comm
        String[] f = stat.substring(close + 1).strip().split(" ");
        if (f.length < 20) return null;
        try {
            int[] uids = null;
            for (String line : status.split("\n")) {
                if (line.startsWith("Uid:")) {
                    String[] u = line.substring(4).strip().split("\\s+");
                    if (u.length < 3) return null;
                    // ids are unsigned: 4294967294 is a uid (as an int of the same bits), not a parse error
                    uids = new int[]{Integer.parseUnsignedInt(u[0]), Integer.parseUnsignedInt(u[1]), Integer.parseUnsignedInt(u[2])};
                }
            }
            if (uids == null) return null;
            return new TargetProcess(Long.parseUnsignedLong(f[22 - 3]), uids[0], uids[1], uids[2], Integer.parseInt(f[19 - 3]), comm);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
