package io.procsys.fs.identity;

/**
 * Cluster-wide process ids.
 *
 * <p>Encoding: a pid of the local host (index 0) is unchanged; pid {@code p} of remote host
 * {@code i} (1..255) is {@code i * 2^22 + p}. Linux pids are below {@code PID_MAX_LIMIT = 2^22}
 * on every host, so an encoded remote pid is ≥ 2^22 and never equals a local pid, and the largest
 * one, {@code 255 * 2^22 + 2^22 - 1 = 2^30 - 1}, stays below 2^30 (positive in an {@code int},
 * and inside the {@code pid_max} range tools accept). Decoding: {@code hostIndex = g >> 22},
 * {@code localPid = g & (2^22 - 1)}.
 */
public final class PidCodec {
    /** {@code PID_MAX_LIMIT} of 64-bit Linux: every pid is below it. */
    public static final int PID_LIMIT = 1 << 22;
    /** Every encoded pid is below it. */
    public static final int GLOBAL_PID_LIMIT = (HostIndex.MAX + 1) * PID_LIMIT;

    private PidCodec() {
    }

    public static int encode(int hostIndex, int pid) {
        HostIndex.checked(hostIndex);
        if (pid < 0 || pid >= PID_LIMIT) {
            throw new IllegalArgumentException("pid " + pid + " outside 0.." + (PID_LIMIT - 1));
        }
        return hostIndex * PID_LIMIT + pid;
    }

    public static int hostIndex(int globalPid) {
        return checked(globalPid) / PID_LIMIT;
    }

    public static int localPid(int globalPid) {
        return checked(globalPid) % PID_LIMIT;
    }

    private static int checked(int globalPid) {
        if (globalPid < 0 || globalPid >= GLOBAL_PID_LIMIT) {
            throw new IllegalArgumentException("global pid " + globalPid + " outside 0.." + (GLOBAL_PID_LIMIT - 1));
        }
        return globalPid;
    }
}
