package io.procsys.fs.cluster;

import io.procsys.fs.clock.ClockStatus;
import io.procsys.metrics.Metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A cluster view's metrics (docs/operating.md "Metrics"): each peer's state and counters, the
 * combined files' cache, the view's clock; read from their counters at each scrape. A peer found
 * through DNS appears once named; of two peers of one name (two records leading to one node) the
 * first is reported.
 */
final class ClusterMetrics {
    private ClusterMetrics() {}

    /** Registers them with {@code metrics}: {@code peers} as they are at each scrape, the filesystem and clock once made (null before). */
    static void register(Metrics metrics, List<Peer> peers, Supplier<ClusterFs> filesystem, Supplier<ClockStatus> clocks) {

        List<String> peer = List.of("peer");
        metrics.gauges("procsys_peer_up", "1 if the connection to the peer's agent is up, else 0.", peer,
                s -> eachPeer(peers, (p, st) -> s.sample(st.state() == Peer.State.UP ? 1 : 0, st.name())));
        metrics.gauges("procsys_peer_round_trip_seconds", "Round trip of the peer's last answered request (or of its connection set-up).", peer,
                s -> eachPeer(peers, (p, st) -> {
                    if (st.roundTripMicros() >= 0) s.sample(st.roundTripMicros() / 1e6, st.name());
                }));
        metrics.gauges("procsys_peer_last_seen_timestamp_seconds", "When the peer last answered (Unix time).", peer,
                s -> eachPeer(peers, (p, st) -> {
                    if (st.lastSeen() != null) s.sample(st.lastSeen().toEpochMilli() / 1e3, st.name());
                }));
        metrics.counters("procsys_peer_requests_total", "Requests sent to the peer's agent (or refused at once while it was down).", peer,
                s -> eachPeer(peers, (p, st) -> s.sample(st.requests(), st.name())));
        List<String> kinds = new ArrayList<>();
        for (PeerErrors.Kind k : PeerErrors.Kind.values()) kinds.add(k.label());
        metrics.counters("procsys_peer_errors_total", "Failed requests and connection attempts to the peer, by kind: "
                        + "timeout, down (asked while down), refused (connection attempt failed), disconnected, remote_errno, protocol.",
                List.of("peer", "kind"), s -> eachPeer(peers, (p, st) -> {
                    for (PeerErrors.Kind k : PeerErrors.Kind.values()) s.sample(p.errors(k), st.name(), k.label());
                }));
        metrics.counters("procsys_peer_process_table_fetches_total", "Process tables requested from the peer (listing the root or hosts/NAME/).", peer,
                s -> eachPeer(peers, (p, st) -> s.sample(st.tables(), st.name())));
        metrics.counters("procsys_peer_process_table_bytes_total", "Bytes of the process tables received from the peer.", peer,
                s -> eachPeer(peers, (p, st) -> s.sample(p.tableBytes(), st.name())));
        metrics.counters("procsys_peer_process_table_errors_total", "Listings that left the peer (or some of its processes) out, "
                        + "and process tables of it refused (over the budget, malformed, cut short); procsys status shows the last one.", peer,
                s -> eachPeer(peers, (p, st) -> s.sample(st.tableErrors(), st.name())));
        metrics.counters("procsys_combined_file_cache_hits_total",
                "Reads of a combined file served by a fan-out of another read: how=in_flight (joined it while it ran), how=reused (within --cache-ms).",
                List.of("how"), s -> {
                    ClusterFs fs = filesystem.get();
                    s.sample(fs == null ? 0 : fs.combined().joined.sum(), "in_flight");
                    s.sample(fs == null ? 0 : fs.combined().reused.sum(), "reused");
                });
        metrics.gauges("procsys_host_clock_skew_seconds", "The host's wall clock minus this host's: its btime minus its boot "
                        + "measured here from its uptime (start times through the view are in this host's clock).", List.of("host"), s -> {
                    ClockStatus clock = clocks.get();
                    if (clock != null) for (ClockStatus.Host h : clock.hosts()) if (h.skewSeconds() != null) s.sample(h.skewSeconds(), h.name());
                });
        metrics.gauge("procsys_view_boot_timestamp_seconds", "The view's boot (its btime; the earliest boot of its hosts, measured here), Unix time.", () -> {
            ClockStatus clock = clocks.get();
            return clock == null || clock.viewBoot() == null ? Double.NaN : clock.viewBoot().toEpochMilli() / 1e3;
        });
        metrics.counter("procsys_combined_file_cache_misses_total", "Reads of a combined file that started a fan-out to every host.", () -> {
            ClusterFs fs = filesystem.get();
            return fs == null ? 0 : fs.combined().started.sum();
        });
    
    }

    /** Each peer with its status, one per name (the first), as metrics report them. */
    private static void eachPeer(List<Peer> peers, BiConsumer<Peer, Peer.Status> action) {
        Set<String> seen = new HashSet<>();
        for (Peer p : peers) {
            Peer.Status st = p.status();
            if (seen.add(st.name())) action.accept(p, st);
        }
    }
}
