package io.procsys.net.log;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A log whose lines a peer or a local user causes (every forwarded action is logged on the agent,
 * every control request on the mount): at most {@code perSecond} lines a second, with a burst of as
 * many; the lines past that are counted and dropped, and the next line logged says how many went.
 * What another host or user sent is written with {@link #escaped}: one line per event, whatever
 * its bytes.
 */
public final class RateLimitedLog {
    private final System.Logger log;
    private final double perSecond;
    private final LongSupplier clock;
    private double tokens;
    private long lastNanos;
    private long droppedSinceLogged;
    /** Lines dropped since start (status, metrics). */
    public final LongAdder dropped = new LongAdder();

    public RateLimitedLog(System.Logger log, double perSecond) {
        this(log, perSecond, System::nanoTime);
    }

    RateLimitedLog(System.Logger log, double perSecond, LongSupplier clock) {
        this.log = log;
        this.perSecond = perSecond;
        this.clock = clock;
        this.tokens = perSecond;
        this.lastNanos = clock.getAsLong();
    }

    /** Logs {@code line} (made only if it is logged) unless more than the rate came lately. */
    public void log(System.Logger.Level level, Supplier<String> line) {
        long droppedBefore;
        synchronized (this) {
            long now = clock.getAsLong();
            tokens = Math.min(perSecond, tokens + (now - lastNanos) / 1e9 * perSecond);
            lastNanos = now;
            if (tokens < 1) {
                droppedSinceLogged++;
                dropped.increment();
                return;
            }
            tokens--;
            droppedBefore = droppedSinceLogged;
            droppedSinceLogged = 0;
        }
        if (droppedBefore > 0) log.log(level, droppedBefore + " log lines dropped (more than " + (long) perSecond + " a second)");
        log.log(level, line.get());
    }

    /**
     * {@code text} (a comm, a user name, a node name another host or user chose) as one printable
     * line: backslash, control characters, DEL and anything outside printable ASCII as \xNN (its
     * UTF-8 bytes), so that a name cannot forge a log line or a terminal's escape.
     */
    public static String escaped(String text) {
        if (text == null) return "null";
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') out.append((char) c);
            else out.append(String.format("\\x%02x", c));
        }
        return out.toString();
    }
}
