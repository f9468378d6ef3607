package io.procsys.scope;

/**
 * A scope's load averages, as the kernel computes the host's (kernel/sched/loadavg.c): every
 * {@link #INTERVAL_SECONDS} the number of the scope's threads that are running or in
 * uninterruptible sleep is folded into three exponentially decaying means of 1, 5 and 15
 * minutes. The first sample seeds all three (the kernel starts from 0 at boot; a scope looked at
 * for the first time has been running for a while).
 */
final class LoadAverage {
    static final int INTERVAL_SECONDS = 5;
    private static final double[] DECAY = {Math.exp(-INTERVAL_SECONDS / 60.0), Math.exp(-INTERVAL_SECONDS / 300.0), Math.exp(-INTERVAL_SECONDS / 900.0)};

    private double[] loads;

    /** Folds in one sample of {@code active} threads (running or uninterruptible). */
    synchronized void sample(int active) {
        if (loads == null) {
            loads = new double[]{active, active, active};
            return;
        }
        for (int i = 0; i < 3; i++) loads[i] = loads[i] * DECAY[i] + active * (1 - DECAY[i]);
    }

    /** The 1, 5 and 15 minute loads, or null before the first sample. */
    synchronized double[] loads() {
        return loads == null ? null : loads.clone();
    }
}
