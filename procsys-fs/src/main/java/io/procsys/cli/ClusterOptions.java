package io.procsys.cli;

import io.procsys.fs.cluster.Cluster;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options that make a mount combine other hosts (mount and exec share them). */
final class ClusterOptions {
    @Option(names = "--peer", paramLabel = "NAME=HOST:PORT",
            description = "Another host to combine: its agent's address and its name under hosts/. Repeatable.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "This host's name under hosts/ (default: the host name).")
    String name;

    @Option(names = "--deadline-ms", paramLabel = "MS", defaultValue = "500",
            description = "Longest wait for a peer's answer; a peer that misses it is left out (default: ${DEFAULT-VALUE}).")
    long deadlineMillis;

    @Mixin
    TlsOptions tls;

    /** The peers to combine, or null for a plain single-host mirror. */
    Cluster cluster() {
        if (peers.isEmpty()) return null;
        if (deadlineMillis < 10 || deadlineMillis > 60_000) throw new UserError("--deadline-ms must be between 10 and 60000", 2);
        String node = name != null ? name : Hosts.localName();
        List<Cluster.PeerAddress> addresses = new ArrayList<>();
        for (String peer : peers) {
            int eq = peer.indexOf('=');
            if (eq <= 0) throw new UserError("--peer '" + peer + "' is not NAME=HOST:PORT", 2);
            String peerName = peer.substring(0, eq);
            if (!peerName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}") || peerName.equals(node)) {
                throw new UserError("--peer name '" + peerName + "' must be a unique name of letters, digits, . _ -", 2);
            }
            if (addresses.stream().anyMatch(a -> a.name().equals(peerName))) throw new UserError("--peer " + peerName + " given twice", 2);
            addresses.add(new Cluster.PeerAddress(peerName, Hosts.parseAddress(peer.substring(eq + 1))));
        }
        return new Cluster(node, addresses, tls.client(node), Duration.ofMillis(deadlineMillis));
    }
}
