package io.procsys.cli;

import io.procsys.daemon.Mounts;
import io.procsys.daemon.StatusEndpoint;
import io.procsys.daemon.UserError;
import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.ReloadingTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each peer of a procsys mount: state, round-trip time, last error, last seen.",
                "Also the mount's TLS certificate: serial, end of validity, reloads, and a warning within 14 days of its end."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where procsys is mounted.")
    Path mountpoint;

    @Override
    public Integer call() throws IOException {
        Path target = mountpoint.toAbsolutePath().normalize();
        if (!Mounts.isProcsysMount(target)) throw new UserError(target + " is not a procsys mount");
        StatusEndpoint.Status status;
        try {
            status = StatusEndpoint.read(target);
        } catch (IOException e) {
            throw new UserError("no status from the daemon of " + target + " (" + e.getMessage() + ")");
        }
        if (json) {
            System.out.println(StatusEndpoint.JSON.writeValueAsString(status));
            return 0;
        }
        System.out.printf("mount %s serving %s, %d peer(s)%n", status.mountpoint(), status.procRoot(), status.peers().size());
        if (status.discovery() != null) {
            DnsPeers.Status d = status.discovery();
            System.out.printf("peers from DNS %s:%d every %d s: %d address(es)%s%n", d.name(), d.port(), d.refreshSeconds(), d.addresses(),
                    d.lastError().isEmpty() ? "" : "; last lookup: " + d.lastError());
            for (String event : d.events()) System.out.println("  " + event);
        }
        if (status.tls() != null) {
            ReloadingTls.Status t = status.tls();
            System.out.printf("TLS certificate %s (serial %s) valid until %s, %d reload(s)%s%n", t.certificate(), t.serial(),
                    t.notAfter().toString().replaceAll("\\.\\d+Z$", "Z"), t.reloads(),
                    t.lastProblem().isEmpty() ? "" : "; last change not used: " + t.lastProblem());
            if (t.warning() != null) System.out.println("WARNING: " + t.warning());
        }
        if (status.peers().isEmpty()) return 0;
        System.out.printf("%-16s %-22s %-10s %9s  %-20s %s%n", "PEER", "ADDRESS", "STATE", "RTT(us)", "LAST SEEN", "LAST ERROR");
        for (Peer.Status p : status.peers()) {
            System.out.printf("%-16s %-22s %-10s %9s  %-20s %s%n", p.name(), p.address(), p.state(),
                    p.roundTripMicros() < 0 ? "-" : Long.toString(p.roundTripMicros()),
                    time(p.lastSeen()), p.lastError());
        }
        // a host left out of listings is never silent (TableErrors)
        for (Peer.Status p : status.peers()) {
            if (p.tableErrors() == 0) continue;
            System.out.printf("%s: %d process table error(s), the last at %s: %s%n", p.name(), p.tableErrors(), time(p.lastTableErrorAt()), p.lastTableError());
        }
        return 0;
    }

    private static String time(java.time.Instant at) {
        return at == null ? "never" : at.toString().replaceAll("\\.\\d+Z$", "Z");
    }
}
