package io.procsys.cli;

import io.procsys.daemon.UserError;
import io.procsys.net.Certificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {"Create a CA and a certificate for each NODE (a quick start for mutual TLS).",
                "It writes DIR/ca.pem, DIR/ca-key.pem, DIR/NODE.pem, DIR/NODE-key.pem; keys are readable by you only. "
                        + "Copy ca.pem and a node's two files to that node."})
final class CertsCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "/etc/procsys/certs", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--host", paramLabel = "NAME|IP", description = "Extra DNS names or IPs put in every node certificate.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--allow-signals", paramLabel = "NODE", split = ",",
            description = "Nodes (among the NODEs) whose certificate carries the signal role (SAN URI " + Certificates.SIGNAL_ROLE_URI
                    + "): their mounts may ask agents started with --allow-signals to signal and renice processes for their users.")
    List<String> signalNodes = new ArrayList<>();

    @Option(names = "--tree-node", paramLabel = "NODE", split = ",",
            description = "Nodes (among the NODEs) whose certificate carries the tree-node role (SAN URI " + Certificates.NODE_ROLE_URI
                    + "): mounts above them honour the wait they announce for the hosts below them (procsys node).")
    List<String> treeNodes = new ArrayList<>();

    @Parameters(paramLabel = "NODE", arity = "1..*", description = "Node names.")
    List<String> nodes;

    @Override
    public Integer call() throws Exception {
        if (days < 1) throw new UserError("--days must be at least 1", 2);
        for (String node : nodes) {
            if (!node.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) throw new UserError("'" + node + "' is not a usable node name (letters, digits, . _ -)", 2);
        }
        for (String node : signalNodes) {
            if (!nodes.contains(node)) throw new UserError("--allow-signals " + node + ": not one of the nodes named (" + String.join(", ", nodes) + ")", 2);
        }
        for (String node : treeNodes) {
            if (!nodes.contains(node)) throw new UserError("--tree-node " + node + ": not one of the nodes named (" + String.join(", ", nodes) + ")", 2);
        }
        if (Files.exists(out.resolve("ca.pem"))) throw new UserError(out.resolve("ca.pem") + " exists: choose another --out, or remove it first");
        Instant now = Instant.now().minus(Duration.ofMinutes(5)); // tolerate small clock differences
        Certificates ca = Certificates.newAuthority("procsys CA", now, Duration.ofDays(days));
        Path caPem = ca.writeAuthority(out);
        for (String node : nodes) {
            List<String> names = new ArrayList<>(List.of(node, "localhost", "127.0.0.1"));
            names.addAll(hosts);
            ca.issue(node, names, roles(node), now, Duration.ofDays(days)).write(out, caPem);
        }
        System.err.println("procsys: wrote a CA and certificates for " + String.join(", ", nodes) + " in " + out
                + (signalNodes.isEmpty() ? "" : " (signal role: " + String.join(", ", signalNodes) + ")")
                + (treeNodes.isEmpty() ? "" : " (tree-node role: " + String.join(", ", treeNodes) + ")"));
        return 0;
    }

    /** The role URIs of {@code node}'s certificate. */
    private List<String> roles(String node) {
        List<String> roles = new ArrayList<>();
        if (signalNodes.contains(node)) roles.add(Certificates.SIGNAL_ROLE_URI);
        if (treeNodes.contains(node)) roles.add(Certificates.NODE_ROLE_URI);
        return roles;
    }
}
