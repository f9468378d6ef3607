package io.procsys.tree;

import io.procsys.posix.Errno;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Reads fields of a /proc/[pid]/status file straight from native memory. */
public final class ProcStatus {
    private static final byte[] TGID = "\nTgid:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ProcStatus() {}

    /** The Tgid: value of a status file's first bytes, or -EIO when absent. */
    public static int tgid(MemorySegment status) {
        long n = status.byteSize();
        outer:
        for (long i = 0; i + TGID.length <= n; i++) {
            for (int j = 0; j < TGID.length; j++) {
                if (status.get(JAVA_BYTE, i + j) != TGID[j]) continue outer;
            }
            long p = i + TGID.length;
            while (p < n && (status.get(JAVA_BYTE, p) == ' ' || status.get(JAVA_BYTE, p) == '\t')) p++;
            int value = 0;
            boolean any = false;
            while (p < n) {
                byte b = status.get(JAVA_BYTE, p);
                if (b < '0' || b > '9') break;
                value = value * 10 + (b - '0');
                any = true;
                p++;
            }
            return any ? value : -Errno.EIO;
        }
        return -Errno.EIO;
    }
}
