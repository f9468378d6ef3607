package io.procsys.net.agent;

import java.util.concurrent.atomic.LongAdder;

/** Counters an agent keeps: what it served and what it refused. */
public final class AgentStats {
    final LongAdder connections = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder refusedPeers = new LongAdder();
    final LongAdder badFrames = new LongAdder();

    public long connections() {
        return connections.sum();
    }

    public long requests() {
        return requests.sum();
    }

    /** Connections closed for a failed handshake: wrong protocol version, no hello, TLS refused. */
    public long refusedPeers() {
        return refusedPeers.sum();
    }

    public long badFrames() {
        return badFrames.sum();
    }
}
