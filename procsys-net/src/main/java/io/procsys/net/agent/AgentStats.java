package io.procsys.net.agent;

import io.procsys.metrics.Metrics;
import io.procsys.net.protocol.Message;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Counters an agent keeps: what it served and what it refused. */
public final class AgentStats {
    /** The kinds of request, as labels: in the order of {@link #kind}. */
    static final List<String> KINDS = List.of("stat", "list", "read", "readlink", "table");

    final LongAdder connections = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder refusedPeers = new LongAdder();
    final LongAdder badFrames = new LongAdder();
    final LongAdder[] requestsByKind = adders(KINDS.size());
    /** Requests answered with an errno (ENOENT for a process that exited, EACCES, ...) or not at all (the connection closed). */
    final LongAdder[] failuresByKind = adders(KINDS.size());
    final LongAdder tlsHandshakes = new LongAdder();
    final LongAdder tlsHandshakeFailures = new LongAdder();
    /** Bytes written to clients' sockets (TLS records included). */
    final LongAdder sentBytes = new LongAdder();
    /** Table requests answered with a table built for another request of the same moment (SharedTables). */
    final LongAdder tablesShared = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    /** The index of a request's kind in {@link #KINDS}. */
    static int kind(Message.Request request) {
        return switch (request) {
            case Message.Stat s -> 0;
            case Message.ListDirectory l -> 1;
            case Message.Read r -> 2;
            case Message.Readlink r -> 3;
            case Message.Table t -> 4;
        };
    }

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

    /** Requests of a kind ("stat", "list", "read", "readlink", "table"). */
    public long requests(String kind) {
        return requestsByKind[KINDS.indexOf(kind)].sum();
    }

    /** Requests of a kind answered with an error. */
    public long failures(String kind) {
        return failuresByKind[KINDS.indexOf(kind)].sum();
    }

    public long tlsHandshakes(boolean succeeded) {
        return (succeeded ? tlsHandshakes : tlsHandshakeFailures).sum();
    }

    public long sentBytes() {
        return sentBytes.sum();
    }

    public long tablesShared() {
        return tablesShared.sum();
    }

    /** Registers these counters with {@code metrics} (read at each scrape; nothing more per request). */
    public void exportTo(Metrics metrics) {
        metrics.counters("procsys_agent_requests_total", "Requests this agent received, by kind.", List.of("kind"), s -> {
            for (int i = 0; i < KINDS.size(); i++) s.sample(requestsByKind[i].sum(), KINDS.get(i));
        });
        metrics.counters("procsys_agent_request_failures_total",
                "Requests this agent answered with an error (the errno goes to the client: ENOENT for a process that exited, EACCES, ...), by kind.",
                List.of("kind"), s -> {
                    for (int i = 0; i < KINDS.size(); i++) s.sample(failuresByKind[i].sum(), KINDS.get(i));
                });
        metrics.counter("procsys_agent_connections_total", "Connections this agent accepted.", connections::sum);
        metrics.counters("procsys_agent_refused_connections_total",
                "Connections this agent closed: reason=handshake (TLS refused, no hello in time, another protocol version), reason=bad_frame (oversize or malformed).",
                List.of("reason"), s -> {
                    s.sample(refusedPeers.sum(), "handshake");
                    s.sample(badFrames.sum(), "bad_frame");
                });
        metrics.counters("procsys_agent_tls_handshakes_total", "TLS handshakes with clients, by result (success, failure).",
                List.of("result"), s -> {
                    s.sample(tlsHandshakes.sum(), "success");
                    s.sample(tlsHandshakeFailures.sum(), "failure");
                });
        metrics.counter("procsys_agent_tables_shared_total",
                "Process table requests this agent answered with a table built for another request of the same few ms.", tablesShared::sum);
        metrics.counter("procsys_agent_sent_bytes_total", "Bytes this agent wrote to its clients' sockets (TLS records included).", sentBytes::sum);
    }
}
