package io.procsys.fs.cluster;

import io.procsys.fs.identity.PidMap;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PidRewriterTest {
    final PidMap pids = new PidMap();
    final PidRewriter rewriter = new PidRewriter(pids);

    /** The cluster pid the map holds for (host, pid): what a listing shows. */
    int mapped(int host, int pid) {
        return pids.clusterPid(host, pid, PidMap.UNKNOWN);
    }

    @Test
    void statPidsAreMapped() {
        String stat = "42 (my (odd) name) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 500 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        int listed = pids.clusterPid(2, 42, 500); // the listing saw it first
        String out = rewriter.stat(stat, 2);
        String[] f = out.substring(out.lastIndexOf(')') + 2).split(" ");
        assertEquals(listed + " (my (odd) name) S", out.substring(0, out.lastIndexOf(')') + 3).trim());
        assertEquals(Integer.toString(mapped(2, 1)), f[1], "ppid: allocated here, the same the listing will show");
        assertEquals(Integer.toString(listed), f[2], "pgrp");
        assertEquals("0", f[4], "tty unchanged");
        assertEquals("-1", f[5], "no terminal group stays -1");
        assertEquals("500", f[19], "the start time is the view clock's (Rebase)");
        assertEquals("garbage", rewriter.stat("garbage", 2));
        assertEquals(listed, mapped(2, 42), "reading its stat gave the process no new cluster pid");
    }

    @Test
    void statusPidLinesAreMapped() {
        String status = "Name:\tx\nTgid:\t42\nPid:\t43\nPPid:\t0\nTracerPid:\t0\nNSpid:\t43\t1\nUid:\t0\t0\t0\t0\n";
        String out = rewriter.status(status, 1);
        assertEquals("Name:\tx\nTgid:\t" + mapped(1, 42) + "\nPid:\t" + mapped(1, 43) + "\nPPid:\t0\nTracerPid:\t0\nNSpid:\t" + mapped(1, 43) + "\t1\nUid:\t0\t0\t0\t0\n", out);
    }

    /**
     * A hostile agent's status naming a pid no host hands out (a cluster pid of another host's
     * process, as Tgid) is refused whole (issue 36): under exec, tkill goes to the thread's Tgid
     * as the mount shows it.
     */
    @Test
    void aPidFieldNoHostHandsOutRefusesTheFile() {
        int victim = mapped(2, 77); // another host's process, as some listing mapped it
        for (String forged : new String[]{Integer.toString(victim), "4194304", "-2", "99999999999", "0x400000"}) {
            String status = "Name:\tx\nTgid:\t" + forged + "\nPid:\t43\nPPid:\t1\n";
            ErrnoException e = assertThrows(ErrnoException.class, () -> rewriter.status(status, 1), forged);
            assertEquals(Errno.EIO, e.errno());
            String stat = "43 (x) S " + forged + " 43 43 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 500 1000 10\n";
            assertThrows(ErrnoException.class, () -> rewriter.stat(stat, 1), "stat's ppid " + forged);
        }
        assertEquals(mapped(1, 42), Integer.parseInt(rewriter.status("Tgid:\t42\n", 1).substring(6).strip()), "a host's own pid is mapped as before");
    }

    @Test
    void socketLinksGetClusterInodes() {
        assertEquals("socket:[" + ((3L << 32) + 99) + "]", ClusterFs.socketLink(3, "socket:[99]"));
        assertEquals("pipe:[99]", ClusterFs.socketLink(3, "pipe:[99]"));
        assertEquals("/dev/null", ClusterFs.socketLink(3, "/dev/null"));
    }
}
