package io.procsys.daemon;

import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.ReloadingTls;

import java.time.Instant;
import java.util.Locale;

/**
 * The human form of a mount's status, what `procsys status MOUNTPOINT` prints. Made by the daemon
 * (the status socket's `text` answer), so the command only copies it out; and by the command
 * itself from the JSON of a daemon of the previous release.
 */
public final class StatusReport {
    private static final String PEER_ROW = "%-16s %-22s %-10s %9s  %-20s %s%n";

    private StatusReport() {}

    public static String render(StatusEndpoint.Status status) {
        StringBuilder out = new StringBuilder();
        line(out, "mount %s serving %s, %d peer(s)%n", status.mountpoint(), status.procRoot(), status.peers().size());
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
        if (status.peers().isEmpty()) return out.toString();
        line(out, PEER_ROW, "PEER", "ADDRESS", "STATE", "RTT(us)", "LAST SEEN", "LAST ERROR");
        for (Peer.Status p : status.peers()) {
            line(out, PEER_ROW, p.name(), p.address(), p.state(),
                    p.roundTripMicros() < 0 ? "-" : Long.toString(p.roundTripMicros()), time(p.lastSeen()), p.lastError());
        }
        // a host left out of listings is never silent (TableErrors)
        for (Peer.Status p : status.peers()) {
            if (p.tableErrors() == 0) continue;
            line(out, "%s: %d process table error(s), the last at %s: %s%n", p.name(), p.tableErrors(), time(p.lastTableErrorAt()), p.lastTableError());
        }
        return out.toString();
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
