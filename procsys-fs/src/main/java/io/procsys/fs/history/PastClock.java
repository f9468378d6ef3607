package io.procsys.fs.history;

import java.util.function.LongSupplier;

/**
 * The time a view of the past shows: it starts at the time asked for and runs at wall speed
 * (tools that sample divide by their own clocks), until paused; a seek moves it.
 */
public final class PastClock {
    private final LongSupplier nanos;
    private long baseMillis;
    private long baseNanos;
    private boolean paused;

    public PastClock(long startMillis) {
        this(startMillis, System::nanoTime);
    }

    PastClock(long startMillis, LongSupplier nanos) {
        this.nanos = nanos;
        this.baseMillis = startMillis;
        this.baseNanos = nanos.getAsLong();
    }

    /** The time shown now (wall clock of the recorded hosts, ms). */
    public synchronized long nowMillis() {
        return paused ? baseMillis : baseMillis + (nanos.getAsLong() - baseNanos) / 1_000_000;
    }

    /** Shows {@code millis} from now on, still running (or still paused). */
    public synchronized void seek(long millis) {
        baseMillis = millis;
        baseNanos = nanos.getAsLong();
    }

    public synchronized void pause() {
        if (paused) return;
        baseMillis = nowMillis();
        paused = true;
    }

    public synchronized void resume() {
        if (!paused) return;
        paused = false;
        baseNanos = nanos.getAsLong();
    }

    public synchronized boolean paused() {
        return paused;
    }
}
