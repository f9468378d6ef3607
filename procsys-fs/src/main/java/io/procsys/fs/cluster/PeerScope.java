package io.procsys.fs.cluster;

import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.scope.ScopeState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A remote host's scope (docs/scope.md): set on each new connection before the peer counts as up
 * (so no request is ever answered unscoped), and its state as the agent last told it. An agent
 * older than protocol 8, or a tree node, cannot be scoped: its connection is closed and the host stays down, its
 * last error saying so. The state is asked again when it is older than {@link #REFRESH} and
 * someone looks (hosts/, procsys status), never on a timer.
 */
final class PeerScope {
    static final Duration REFRESH = Duration.ofSeconds(2);

    private final List<String> specs;
    private final Duration deadline;
    private volatile AgentClient client;
    private volatile Known known = new Known(ScopeState.leftOut(ScopeState.Outcome.UNREADABLE, "", "not connected yet"), Instant.EPOCH);
    private volatile CompletableFuture<ScopeState> asking;

    /** A state and when the agent told it. */
    record Known(ScopeState state, Instant at) {}

    PeerScope(List<String> specs, Duration deadline) {
        this.specs = List.copyOf(specs);
        this.deadline = deadline;
    }

    /** The step between a connection's hello and its use: the connection scoped, or failed (and closed) with the reason. */
    CompletableFuture<AgentClient> onConnect(AgentClient c) {
        if (c.version() < Message.SCOPE_VERSION) {
            String why = "the agent speaks protocol " + c.version() + ", a scope needs " + Message.SCOPE_VERSION + ": upgrade it";
            known = new Known(ScopeState.leftOut(ScopeState.Outcome.REFUSED, "", why), Instant.now());
            c.close();
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EPROTO, why));
        }
        return ask(c).handle((state, error) -> {
            if (error != null || state.outcome() == ScopeState.Outcome.REFUSED) { // a tree node: its answers would not be scoped
                c.close();
                throw new ErrnoException(Errno.EPROTO, "the agent did not take the scope: "
                        + (error != null ? ErrnoException.unwrapped(error).getMessage() : state.detail()));
            }
            client = c;
            return c;
        });
    }

    private CompletableFuture<ScopeState> ask(AgentClient c) {
        return c.scope(specs, deadline.toMillis()).thenApply(state -> {
            known = new Known(state, Instant.now());
            return state;
        });
    }

    /** The last state told, asking again in the background when it is older than {@link #REFRESH}. */
    Known known() {
        Known k = known;
        if (k.at().plus(REFRESH).isBefore(Instant.now())) refresh();
        return k;
    }

    /** The state now: asked again of a connected agent (within the deadline), else the last one. */
    CompletableFuture<Known> refresh() {
        AgentClient c = client;
        if (c == null || !c.isActive()) return CompletableFuture.completedFuture(known);
        CompletableFuture<ScopeState> running = asking;
        if (running == null || running.isDone()) asking = running = ask(c);
        return running.handle((s, e) -> known);
    }
}
