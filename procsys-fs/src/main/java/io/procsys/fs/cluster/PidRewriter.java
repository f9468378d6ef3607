package io.procsys.fs.cluster;

import io.procsys.fs.identity.PidMap;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

/**
 * Rewrites the pids inside a remote process's files so that they match the cluster-wide pid
 * directories ({@link PidMap}): {@code ps -ef} then shows the right parents. A pid is the
 * current cluster pid of (host, pid), allocated here if no listing showed it yet (a parent seen
 * first as a ppid; its start time is adopted when a listing shows it). Pid 0 (no parent) and -1
 * (no terminal group) stay as they are. A pid no host hands out (≥ 2^22, below -1, not a number)
 * refuses the whole file (EIO, logged once per host): a hostile agent whose status said
 * {@code Tgid: 4194500} would otherwise aim a user's tkill under exec at another host's process
 * (CallAnswerer sends tkill to the thread's Tgid as the mount shows it). Start times are the view
 * clock's ({@link BootTimes}, {@link io.procsys.fs.clock.Rebase}).
 */
final class PidRewriter {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final PidMap pids;
    /** Hosts whose forged pids were logged (at most one line each; at most 65 535). */
    private final java.util.Set<Integer> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    PidRewriter(PidMap pids) {
        this.pids = pids;
    }

    String pid(int hostIndex, String value) {
        int p;
        try {
            p = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw forged(hostIndex, value);
        }
        if (p == 0 || p == -1) return value;
        if (p < -1 || p >= PidMap.HOST_PID_LIMIT) throw forged(hostIndex, value);
        int clusterPid = pids.clusterPid(hostIndex, p, PidMap.UNKNOWN);
        return clusterPid < 0 ? "0" : Integer.toString(clusterPid); // map full (logged): no pid rather than a local one
    }

    /** A pid field no host can have: the file is refused, said once per host. */
    private ErrnoException forged(int hostIndex, String value) {
        String why = "a file of host #" + hostIndex + " names pid '" + (value.length() > 24 ? value.substring(0, 24) + "..." : value)
                + "', which no Linux host hands out: refused (EIO)";
        if (warned.add(hostIndex)) LOG.log(System.Logger.Level.WARNING, why);
        return new ErrnoException(Errno.EIO, why);
    }

    /** [pid]/stat: pid, ppid, pgrp, session and tpgid cluster-wide. Text it cannot parse is returned unchanged. */
    String stat(String text, int hostIndex) {
        int open = text.indexOf(" (");
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open) return text;
        String[] after = text.substring(close + 1).strip().split(" ");
        if (after.length < 20) return text;
        // after[0] is field 3 (state): ppid 4, pgrp 5, session 6, tpgid 8
        for (int field : new int[]{4, 5, 6, 8}) after[field - 3] = pid(hostIndex, after[field - 3]);
        return pid(hostIndex, text.substring(0, open)) + text.substring(open, close + 1) + " " + String.join(" ", after) + "\n";
    }

    /** [pid]/status: Pid, PPid, Tgid, TracerPid and the first value of NSpid/NStgid/NSpgid/NSsid cluster-wide. */
    String status(String text, int hostIndex) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String line : text.split("\n", -1)) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? "" : line.substring(0, colon);
            switch (key) {
                case "Pid", "PPid", "Tgid", "TracerPid", "NSpid", "NStgid", "NSpgid", "NSsid" -> {
                    String rest = line.substring(colon + 1);
                    String value = rest.strip().split("\\s+")[0];
                    int at = rest.indexOf(value);
                    out.append(key).append(':').append(rest, 0, at).append(pid(hostIndex, value)).append(rest.substring(at + value.length()));
                }
                default -> out.append(line);
            }
            out.append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }
}
