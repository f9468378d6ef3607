package io.procsys.fs.cluster;

import io.procsys.scope.ScopeSources;
import io.procsys.scope.ScopeSpec;
import io.procsys.scope.ScopeState;
import io.procsys.scope.ScopedHost;
import io.procsys.scope.Scopes;
import io.procsys.tree.ExportedTree;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A view of one scope across its hosts (`--scope`, docs/scope.md): this host's through a
 * {@link ScopedHost} of its own, each peer's through its agent ({@link PeerScope}). A host where
 * the scope is not (absent, ambiguous, unreadable, an agent too old) is left out of hosts/, of
 * the listing and of every scoped file, and {@link #report} says why.
 */
public final class ClusterScope implements AutoCloseable {
    private final List<String> specs;
    private final Path cgroupRoot, logRoot;
    private final Map<Peer, PeerScope> peers = new ConcurrentHashMap<>();
    private Scopes localScopes;
    private ScopedHost local;

    /** {@code specs} as given (checked: IllegalArgumentException with a one-line reason); this host's cgroups at {@code cgroupRoot}, kubelet's logs at {@code logRoot}. */
    public ClusterScope(List<String> specs, Path cgroupRoot, Path logRoot) {
        if (specs.isEmpty()) throw new IllegalArgumentException("a scope of no --scope");
        this.specs = ScopeSpec.parseAll(specs).stream().map(ScopeSpec::text).toList();
        this.cgroupRoot = cgroupRoot;
        this.logRoot = logRoot;
    }

    public List<String> specs() {
        return specs;
    }

    /** The scope of peer {@code p}, which sets it on each connection before the peer is up. */
    PeerScope forPeer(Peer p, Duration deadline) {
        return peers.computeIfAbsent(p, k -> new PeerScope(specs, deadline));
    }

    /** This host under the scope (made once, with its load sampled on {@code timer}). */
    synchronized ScopedLocal local(String name, ExportedTree tree, ScheduledExecutorService timer) {
        if (local == null) {
            localScopes = new Scopes(ScopeSources.open(tree, cgroupRoot, logRoot), timer);
            local = localScopes.of(specs);
        }
        return new ScopedLocal(name, tree, local);
    }

    /** Whether host {@code b} is in the view now (as last known: a peer's state is asked again in the background). */
    boolean inView(Backend b) {
        if (b instanceof ScopedLocal l) return l.scope().present();
        PeerScope p = peerOf(b);
        return p == null || p.known().state().present();
    }

    private PeerScope peerOf(Backend b) {
        Backend inner = b instanceof TableBackend t ? t.remote() : b;
        return inner instanceof Peer p ? peers.get(p) : null;
    }

    /**
     * One line per host for `procsys status`: its name and the scope's state there (asked anew of
     * each peer, waiting at most {@code wait}).
     */
    public List<String> report(List<Backend> hosts, Duration wait) {
        Map<Backend, java.util.concurrent.CompletableFuture<PeerScope.Known>> asked = new java.util.LinkedHashMap<>();
        for (Backend b : hosts) {
            PeerScope p = peerOf(b);
            if (p != null) asked.put(b, p.refresh()); // all at once: the wait is one deadline, not one per host
        }
        long until = System.nanoTime() + wait.toNanos();
        List<String> lines = new ArrayList<>();
        lines.add("scope " + String.join(" ", specs) + ":");
        for (Backend b : hosts) {
            ScopeState state;
            if (b instanceof ScopedLocal l) {
                state = l.scope().state();
            } else if (asked.containsKey(b)) {
                try {
                    state = asked.get(b).get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS).state();
                } catch (Exception late) {
                    state = peerOf(b).known().state();
                }
            } else {
                continue;
            }
            lines.add(String.format(java.util.Locale.ROOT, "  %-16s %s", b.name(), state.describe()));
        }
        return lines;
    }

    @Override
    public synchronized void close() {
        if (localScopes != null) localScopes.close();
    }
}
