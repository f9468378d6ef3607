package io.procsys.daemon;

import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Offenders;
import io.procsys.fs.cluster.Peer;
import io.procsys.fs.cluster.Staleness;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.net.ReloadingTls;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The human form of a mount's status, what `procsys status MOUNTPOINT` prints. Made by the daemon
 * (the status socket's `text` answer), so the command only copies it out; and by the command
 * itself from the JSON of a daemon of the previous release.
 */
public final class StatusReport {
    private static final String PEER_ROW = "%-16s %-22s %-10s %9s  %-20s %s%n";
    private static final String CLOCK_ROW = "%-16s %-20s %10s %8s  %s%n";

    private StatusReport() {}

    public static String render(StatusEndpoint.Status status) {
        StringBuilder out = new StringBuilder();
        if (status.procRoot().startsWith("/")) {
            line(out, "mount %s serving %s, %d peer(s)%n", status.mountpoint(), status.procRoot(), status.peers().size());
        } else { // a view with no live /proc and no peers (the past: its hosts are on the lines after)
            line(out, "mount %s serving %s%n", status.mountpoint(), status.procRoot());
        }
        if (status.discovery() != null) {
            DnsPeers.Status d = status.discovery();
            line(out, "peers from DNS %s:%d every %d s: %d address(es)%s%n", d.name(), d.port(), d.refreshSeconds(), d.addresses(),
                    d.lastError().isEmpty() ? "" : "; last lookup: " + d.lastError());
            for (String event : d.events()) line(out, "  %s%n", event);
        }
        if (status.tls() != null) {
            ReloadingTls.Status t = status.tls();
            line(out, "TLS certificate %s (serial %s) valid until %s, %d reload(s)%s%n", t.certificate(), t.serial(),
                    time(t.notAfter()), t.reloads(), t.lastProblem().isEmpty() ? "" : "; last change not used: " + t.lastProblem());
            if (t.warning() != null) line(out, "WARNING: %s%n", t.warning());
        }
        for (String scope : status.scope()) line(out, "%s%n", scope);
        if (!status.peers().isEmpty()) peers(out, status);
        stalenessAndQuotas(out, status);
        if (status.clock() != null) clock(out, status.clock());
        return out.toString();
    }

    private static void peers(StringBuilder out, StatusEndpoint.Status status) {
        line(out, PEER_ROW, "PEER", "ADDRESS", "STATE", "RTT(us)", "LAST SEEN", "LAST ERROR");
        for (Peer.Status p : status.peers()) {
            line(out, PEER_ROW, p.name(), p.address(), state(p, status.stale()),
                    p.roundTripMicros() < 0 ? "-" : Long.toString(p.roundTripMicros()), time(p.lastSeen()), p.lastError());
        }
        // a host left out of listings is never silent (TableErrors)
        for (Peer.Status p : status.peers()) {
            if (p.tableErrors() == 0) continue;
            line(out, "%s: %d process table error(s), the last at %s: %s%n", p.name(), p.tableErrors(), time(p.lastTableErrorAt()), p.lastTableError());
        }
    }

    /** The hosts served stale or left out lately, and those a share of the mount was taken back from. */
    private static void stalenessAndQuotas(StringBuilder out, StatusEndpoint.Status status) {
        for (Staleness.Host h : status.stale() == null ? List.<Staleness.Host>of() : status.stale()) {
            line(out, "%s %s: %s (%s)%n", h.state(), h.host(), h.ageMillis() < 0 ? "no earlier answer"
                    : (h.state().equals(Staleness.STALE) ? "served from its answer of " : "its last answer is ") + age(h.ageMillis())
                    + (h.state().equals(Staleness.STALE) ? " ago" : " old"), h.what());
        }
        for (Offenders.Quota q : status.quotas() == null ? List.<Offenders.Quota>of() : status.quotas()) {
            line(out, "QUOTA %s: held to its %s: %d evicted%s%n", q.host(), q.quota(), q.evicted(),
                    q.refused() == 0 ? "" : ", " + q.refused() + " refused");
        }
    }

    /** The view's btime, and each host's boot measured here with the skew of its own clock (docs/aggregation.md). */
    private static void clock(StringBuilder out, ClockStatus clock) {
        if (clock.viewBoot() == null) return;
        line(out, "view btime %d (%s): the earliest boot of its hosts, measured here%n", clock.btime(), time(clock.viewBoot()));
        line(out, CLOCK_ROW, "HOST", "BOOTED (HERE)", "SKEW(s)", "+-(ms)", "MEASURED");
        for (ClockStatus.Host h : clock.hosts()) {
            line(out, CLOCK_ROW, h.name(), time(h.boot()), h.skewSeconds() == null ? "-" : String.format(Locale.ROOT, "%+.1f", h.skewSeconds()),
                    h.uncertaintyMillis() < 0 ? "btime" : Long.toString(h.uncertaintyMillis()), time(h.measuredAt()));
        }
    }

    /** A peer's state, or STALE with its age (LEFT OUT) while rounds serve it from an earlier answer (leave it out). */
    private static String state(Peer.Status p, List<Staleness.Host> stale) {
        if (stale != null) {
            for (Staleness.Host h : stale) {
                if (h.host().equals(p.name())) return h.state().equals(Staleness.STALE) ? "STALE " + age(h.ageMillis()) : h.state();
            }
        }
        return p.state().name();
    }

    /** An age in a few characters: 0.8s, 12s. */
    static String age(long millis) {
        return millis < 10_000 ? String.format(Locale.ROOT, "%.1fs", millis / 1000.0) : millis / 1000 + "s";
    }

    /** Locale.ROOT: the daemon's locale must not change the digits the user's command prints. */
    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args));
    }

    /** Whole seconds, as the command always printed instants. */
    private static String time(Instant at) {
        return at == null ? "never" : at.toString().replaceAll("\\.\\d+Z$", "Z");
    }
}
