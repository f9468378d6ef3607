package io.procsys.cli;

import io.procsys.daemon.StatusEndpoint;
import io.procsys.daemon.StatusJson;
import io.procsys.daemon.StatusReport;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.fs.cluster.DnsPeers;
import io.procsys.fs.cluster.Offenders;
import io.procsys.fs.cluster.Peer;
import io.procsys.fs.cluster.Staleness;
import io.procsys.net.ReloadingTls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the AOT cache (scripts/build.sh, scripts/package.sh): one JVM that goes
 * through the short commands' paths, so that the cache holds the classes they load, linked.
 * Arguments: procsys mounts to run `status` against (none: status only reaches its checks).
 * What it prints is thrown away; it fails only if the JVM does.
 */
public final class Training {
    private Training() {}

    public static void main(String[] mounts) throws IOException {
        PrintStream out = System.out, err = System.err;
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(nowhere);
        System.setErr(nowhere);
        Path certs = Files.createTempDirectory("procsys-training");
        try {
            Main.execute("--version");
            Main.execute("--help");
            Main.execute("no-such-command");
            for (String command : List.of("mount", "umount", "exec", "agent", "certs", "status", "node", "demo")) {
                Main.execute("help", command);
                Main.execute(command, "--help");
            }
            Main.execute("status");
            Main.execute("status", "/");
            Main.execute("umount", "/");
            for (String mount : mounts) {
                Main.execute("status", mount);
                Main.execute("status", "--json", mount);
            }
            // what the daemon renders and encodes, and status decodes from a daemon of the previous release, with every part present
            var status = new StatusEndpoint.Status("/mnt/cluster", "/proc",
                    List.of(new Peer.Status("a", "10.0.0.2:7070", Peer.State.UP, 120, "", Instant.now(), 1, 1, 1, "left out of a listing: host a did not answer in time (ETIMEDOUT)", Instant.now())),
                    new DnsPeers.Status("agents.example", 7070, 30, 1, "", List.of("joined a")),
                    new ReloadingTls.Status("/etc/procsys/certs/a.pem", "CN=a", "01", Instant.now(), 3600, null, 0, null, ""),
                    new ClockStatus(Instant.now(), Instant.now().getEpochSecond(),
                            List.of(new ClockStatus.Host("a", Instant.now(), Instant.now().getEpochSecond(), 0.5, 3, Instant.now()))),
                    List.of(new Staleness.Host("a", Staleness.STALE, 1200, "meminfo")),
                    List.of(new Offenders.Quota("a", "pid map share of one host", 65536, 0)));
            StatusReport.render(StatusJson.read(StatusJson.write(status)));
            Main.execute("certs", "--out", certs.toString(), "--days", "1", "training");
        } finally {
            try (Stream<Path> files = Files.walk(certs)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            System.setOut(out);
            System.setErr(err);
        }
    }
}
