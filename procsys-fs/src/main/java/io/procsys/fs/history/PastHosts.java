package io.procsys.fs.history;

import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The hosts of a view of the past and, for each, its sources in the order they are asked: the
 * first that answers serves it, the others are fallbacks ({@link PastSource#orElse}). A mount adds
 * each --peer's own agent first, then the hosts each peer lists (in --peer order: a host two peers
 * list is asked of the first), then the recordings under --history; so a host is asked of its own
 * agent first, then of the agents that hold its archive or stand above it, then of this disk.
 * What a listing brought, or why it was refused, is kept for status.
 */
public final class PastHosts {
    /** Most hosts in one view (each listing is bounded too, HistoryHostList.MAX_HOSTS). */
    static final int MAX_HOSTS = 4096;

    private final Map<String, List<PastSource>> byName = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** Adds {@code source} for host {@code name}, after those it already has. */
    public PastHosts add(String name, PastSource source) {
        List<PastSource> sources = byName.get(name);
        if (sources == null) {
            if (byName.size() >= MAX_HOSTS) {
                notes.add("  " + name + ": left out, the view has " + MAX_HOSTS + " hosts already");
                return this;
            }
            byName.put(name, sources = new ArrayList<>());
        }
        sources.add(source);
        return this;
    }

    /**
     * Adds every host the agent of --peer {@code peer} lists ({@link AgentPast#hosts}), each asked
     * of that agent by name, waiting for the listing until {@code deadlineNanos} (System.nanoTime).
     * A listing that fails or is refused adds nothing, and status says why.
     */
    public PastHosts addListed(String peer, AgentPast agent, CompletableFuture<List<String>> listing, long deadlineNanos) {
        List<String> names;
        try {
            names = listing.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            notes.add("  " + peer + ": no list of the hosts it serves (" + agent.describe() + "): " + why(e));
            return this;
        }
        if (names.isEmpty()) return this;
        for (String name : names) if (!name.equals(peer)) add(name, agent.forHost(name));
        notes.add("  " + peer + " (" + agent.describe() + ") serves the past of " + String.join(", ", names));
        return this;
    }

    private static String why(Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException ? ErrnoException.unwrapped(e.getCause()) : e;
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof TimeoutException) return "it did not answer in time";
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** The hosts, each with its sources chained. */
    public List<PastView.Host> hosts() {
        List<PastView.Host> out = new ArrayList<>();
        byName.forEach((name, sources) -> {
            PastSource chained = sources.getFirst();
            for (PastSource next : sources.subList(1, sources.size())) chained = PastSource.orElse(chained, next);
            out.add(new PastView.Host(name, chained));
        });
        return out;
    }

    /** Status lines: what each listing brought, or why it was refused. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** How long a mount waits for the listings, at most. */
    public static final Duration LISTING_WAIT = Duration.ofSeconds(10);
}
