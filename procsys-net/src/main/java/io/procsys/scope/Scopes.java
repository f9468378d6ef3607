package io.procsys.scope;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The scopes a host serves, one {@link ScopedHost} per set of specs, shared by every connection
 * (or mount) that asks for it: each samples its load every {@link LoadAverage#INTERVAL_SECONDS}
 * on {@code timer} and is dropped {@link #IDLE_NANOS} after its last use.
 */
public final class Scopes implements AutoCloseable {
    /** How long a scope nobody asks for is kept (and its load sampled). */
    static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Most scopes served at once (each is a set of specs some mount asked for). */
    static final int MAX_SCOPES = 1024;

    private final ScopeSources sources;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private final Map<List<String>, Entry> scopes = new ConcurrentHashMap<>();

    private record Entry(ScopedHost scope, ScheduledFuture<?> sampling) {}

    public Scopes(ScopeSources sources, ScheduledExecutorService timer) {
        this(sources, timer, System::nanoTime);
    }

    Scopes(ScopeSources sources, ScheduledExecutorService timer, LongSupplier nanoClock) {
        this.sources = sources;
        this.timer = timer;
        this.nanoClock = nanoClock;
    }

    /** The scope of {@code specs} (checked by {@link ScopeSpec#parseAll}): IllegalArgumentException for a malformed one, or too many scopes. */
    public ScopedHost of(List<String> specs) {
        List<ScopeSpec> parsed = ScopeSpec.parseAll(specs);
        List<String> key = parsed.stream().map(ScopeSpec::text).sorted().toList();
        Entry e = scopes.get(key);
        if (e != null) return e.scope();
        synchronized (this) {
            e = scopes.get(key);
            if (e != null) return e.scope();
            if (scopes.size() >= MAX_SCOPES) throw new IllegalArgumentException("this host serves " + MAX_SCOPES + " scopes already");
            ScopedHost scope = new ScopedHost(parsed, sources, nanoClock);
            scopes.put(key, new Entry(scope, schedule(key, scope)));
            return scope;
        }
    }

    private ScheduledFuture<?> schedule(List<String> key, ScopedHost scope) {
        try {
            return timer.scheduleAtFixedRate(() -> sampleOrDrop(key, scope), LoadAverage.INTERVAL_SECONDS, LoadAverage.INTERVAL_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException stopping) {
            return null;
        }
    }

    private void sampleOrDrop(List<String> key, ScopedHost scope) {
        if (nanoClock.getAsLong() - scope.lastUseNanos() > IDLE_NANOS) {
            Entry e = scopes.remove(key);
            if (e != null && e.sampling() != null) e.sampling().cancel(false);
            return;
        }
        try {
            scope.sample();
        } catch (RuntimeException e) {
            // a cgroup gone between two reads: the next sample tells
        }
    }

    /** How many scopes are served now. */
    public int size() {
        return scopes.size();
    }

    @Override
    public void close() {
        for (Entry e : scopes.values()) if (e.sampling() != null) e.sampling().cancel(false);
        scopes.clear();
        sources.close();
    }
}
