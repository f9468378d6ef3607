package io.procsys.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts exceptions thrown by filesystem code inside upcalls. The first of each (operation,
 * exception type) is logged with its stack trace; repeats are only counted, so a failing
 * operation cannot flood the log.
 */
public final class UpcallFailures {
    private static final System.Logger LOG = System.getLogger("io.procsys.fuse");
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void report(String operation, Throwable failure) {
        String key = operation + ": " + failure.getClass().getName();
        LongAdder count = counts.computeIfAbsent(key, k -> new LongAdder());
        count.increment();
        if (count.sum() == 1) {
            LOG.log(System.Logger.Level.ERROR, "FUSE " + operation + " failed; answering EIO (logged once)", failure);
        }
    }

    /** Total exceptions caught so far. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Counts per "operation: exception class". */
    public Map<String, Long> byKind() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
