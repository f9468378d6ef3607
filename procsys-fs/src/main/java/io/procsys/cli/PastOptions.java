package io.procsys.cli;

import io.procsys.daemon.PastMount;
import io.procsys.daemon.UserError;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.history.Times;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** --at and --history (mount, exec): a view of the cluster as it was (docs/history.md). */
final class PastOptions {
    @Option(names = "--at", paramLabel = "TIME",
            description = "Show the cluster as it was at TIME (\"2026-12-07 03:12\", \"03:12\", \"10 min ago\", \"-2h\", \"@EPOCH\"), "
                    + "from what agents recorded (agent --record): read-only, time running on from TIME at wall speed. Each --peer "
                    + "shows its own past and every host whose past it serves (archived to it, or below a tree node) as hosts/NAME/; "
                    + "a host is asked of its own agent first, then of the peers that list it, then of --history.")
    String at;

    @Option(names = "--history", paramLabel = "DIR",
            description = "With --at: also recordings on this host, each subdirectory of DIR one host's (agent --record DIR, "
                    + "--archive-to DIR), or DIR one host's itself. A host there and a --peer of the same name: its agent first. Repeatable.")
    List<Path> history = new ArrayList<>();

    boolean wanted() {
        return at != null;
    }

    long atMillis() {
        try {
            return Times.parse(at, System.currentTimeMillis(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new UserError("--at " + e.getMessage(), 2);
        }
    }

    /** The hosts of the view: each --peer (its agent), and each recording under --history, joined by name. */
    List<PastMount.HostSource> hosts(ClusterOptions cluster) {
        if (!wanted() && !history.isEmpty()) throw new UserError("--history goes with --at TIME", 2);
        Map<String, PastMount.HostSource> byName = new LinkedHashMap<>();
        for (String peer : cluster.peers) {
            int eq = peer.indexOf('=');
            if (eq <= 0 || !peer.substring(0, eq).matches(Cluster.NODE_NAME)) throw new UserError("--peer '" + peer + "' is not NAME=HOST:PORT", 2);
            if (byName.put(peer.substring(0, eq), new PastMount.HostSource(peer.substring(0, eq), Hosts.parseAddress(peer.substring(eq + 1)), null)) != null) {
                throw new UserError("--peer " + peer.substring(0, eq) + " given twice", 2);
            }
        }
        for (Path dir : history) {
            for (Path host : recordings(dir)) {
                String name = host.getFileName().toString();
                PastMount.HostSource peer = byName.get(name);
                byName.put(name, new PastMount.HostSource(name, peer == null ? null : peer.agent(), host));
            }
        }
        return List.copyOf(byName.values());
    }

    /** {@code dir} itself when it is one host's recording, else its subdirectories that are. */
    static List<Path> recordings(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserError("--history " + dir + " is not a directory", 2);
        if (isRecording(dir)) return List.of(dir);
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (Files.isDirectory(child) && child.getFileName().toString().matches(Cluster.NODE_NAME) && isRecording(child)) out.add(child);
            }
        } catch (IOException e) {
            throw new UserError("cannot read --history " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) throw new UserError("--history " + dir + " holds no recording (no DIR/HOST/*.index)", 2);
        out.sort(null);
        return out;
    }

    private static boolean isRecording(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.index")) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }
}
