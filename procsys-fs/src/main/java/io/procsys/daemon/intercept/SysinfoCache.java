package io.procsys.daemon.intercept;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * sysinfo(2) for the commands under exec, from a combination of the mount's meminfo, loadavg and
 * uptime at most {@link #MAX_AGE_NANOS} old (issue 37: bash calls it at every start, and made fresh
 * for each call it waited for the slowest host). A call that finds the last one older than
 * {@link #REFRESH_AFTER_NANOS} is still answered from it, and starts one refresh in the background;
 * only a call with none young enough makes one and waits for it (a round of the combined files:
 * never longer than the deadline, and not at all for a host that is late).
 */
final class SysinfoCache {
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long REFRESH_AFTER_NANOS = MAX_AGE_NANOS / 2;

    /** Makes the struct from the mount's files now. */
    interface Source {
        byte[] read() throws IOException;
    }

    private record Made(byte[] bytes, long startedNanos) {}

    private final Source source;
    private final LongSupplier clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Made last;

    SysinfoCache(Source source, LongSupplier clock) {
        this.source = source;
        this.clock = clock;
    }

    /** The struct's bytes (the caller may not change them). */
    byte[] get() throws IOException {
        Made m = last;
        long now = clock.getAsLong();
        if (m != null && now - m.startedNanos < MAX_AGE_NANOS) {
            if (now - m.startedNanos >= REFRESH_AFTER_NANOS) refreshInBackground();
            return m.bytes;
        }
        return make().bytes;
    }

    private Made make() throws IOException {
        long started = clock.getAsLong();
        Made m = new Made(source.read(), started);
        Made before = last;
        if (before == null || before.startedNanos - started < 0) last = m;
        return m;
    }

    private void refreshInBackground() {
        if (!refreshing.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("sysinfo-refresh").start(() -> {
            try {
                make();
            } catch (IOException | RuntimeException e) {
                // the next call that finds it too old makes one itself, and says why
            } finally {
                refreshing.set(false);
            }
        });
    }
}
