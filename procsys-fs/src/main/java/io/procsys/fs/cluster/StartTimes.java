package io.procsys.fs.cluster;

import io.procsys.net.protocol.ProcessTable;
import io.procsys.tree.ExportedTree;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * The start time (field 22 of {@code stat}) of each process of the last table a host sent: what
 * this mount last showed of it. An action on a remote process carries it, so the agent refuses a
 * pid reused since (ESRCH) instead of acting on the new process. Kept past the table's window,
 * until the next table: 12 bytes a process.
 */
final class StartTimes {
    static final StartTimes NONE = new StartTimes(new int[0], new long[0]);

    private final int[] pids;
    private final long[] times;

    private StartTimes(int[] pids, long[] times) {
        this.pids = pids;
        this.times = times;
    }

    /** The processes of {@code table} whose stat it holds. */
    static StartTimes of(ProcessTable table) {
        int[] pids = new int[table.root().size()];
        int n = 0;
        for (ExportedTree.Entry e : table.root()) {
            int pid = pidOf(e.name());
            if (pid > 0 && table.hasProcess(pid)) pids[n++] = pid;
        }
        pids = Arrays.copyOf(pids, n);
        Arrays.sort(pids);
        long[] times = new long[n];
        var bytes = table.bytes();
        for (int i = 0; i < n; i++) {
            ProcessTable.Item stat = table.find(pids[i], "stat");
            times[i] = stat == null || !stat.isFile() ? -1
                    : startTime(at -> bytes.getByte(stat.fileOffset() + at), stat.fileLength());
        }
        return new StartTimes(pids, times);
    }

    /** The start time last seen of {@code pid}, or -1 if the last table had none. */
    long of(int pid) {
        int i = Arrays.binarySearch(pids, pid);
        return i < 0 ? -1 : times[i];
    }

    /**
     * Field 22 of a stat line of {@code length} bytes (counted after the command name, which may
     * hold spaces and parentheses), or -1 if it does not parse.
     */
    static long startTime(IntUnaryOperator byteAt, int length) {
        int at = length - 1;
        while (at >= 0 && byteAt.applyAsInt(at) != ')') at--;
        if (at < 0) return -1;
        int field = 2; // the command name
        long value = -1;
        for (at++; at < length; at++) {
            int b = byteAt.applyAsInt(at);
            if (b == ' ') {
                if (field == 22) return value;
                field++;
                value = field == 22 ? 0 : -1;
            } else if (field == 22) {
                if (b < '0' || b > '9' || value > Long.MAX_VALUE / 10) return -1;
                value = value * 10 + (b - '0');
            }
        }
        return field == 22 ? value : -1;
    }

    private static int pidOf(String name) {
        if (name.isEmpty() || name.length() > 7) return -1;
        int pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }
}
