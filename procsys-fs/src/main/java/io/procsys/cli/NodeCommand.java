package io.procsys.cli;

import io.procsys.daemon.MetricsEndpoint;
import io.procsys.daemon.MountEndpoints;
import io.procsys.daemon.MountService;
import io.procsys.daemon.RunningAgent;
import io.procsys.daemon.StopSignals;
import io.procsys.daemon.UserError;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.history.ForwardedHistory;
import io.procsys.metrics.Metrics;
import io.procsys.net.agent.SignalMode;
import io.procsys.net.agent.TableSource;
import io.procsys.net.agent.FileSource;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Agent and mount in one process, serving until SIGINT/SIGTERM.",
                "Mesh (--export local, the default): every node exports its own /proc and mounts the others. "
                        + "Tree (--export combined): the node exports its combined view, so a node above sees this "
                        + "whole subtree as one host for the combined files (hosts/NAME/hosts/... shows the path), and "
                        + "every process of every host below it in one reply per node (procsys which gives a pid's path, "
                        + "node/host); that is how procsys scales past one hub.",
                "With --record, the node records its own host as an agent does; a tree node also answers mounts in the past "
                        + "(mount --at) for the hosts below it, asking their agents, and lists them (docs/history.md)."},
        footer = {"", "Examples:",
                "  procsys node --listen 0.0.0.0:7070 --peer b=10.0.0.2:7070 --peer c=10.0.0.3:7070 /mnt/cluster",
                "  procsys node --export combined --listen 0.0.0.0:7070 --peer leaf1=10.0.1.1:7070 /mnt/rack1",
                "  procsys node --export combined --listen 0.0.0.0:7070 --peer leaf1=10.0.1.1:7070 --record /var/lib/procsys /mnt/rack1"})
final class NodeCommand implements Callable<Integer> {
    enum Export { local, combined }

    @Option(names = "--listen", paramLabel = "HOST:PORT", required = true, description = "Address of this node's agent.")
    String listen;

    @Option(names = "--export", paramLabel = "local|combined", defaultValue = "local",
            description = "What the agent exports: this host's proc root (mesh), or the mount (tree). Default: ${DEFAULT-VALUE}.")
    Export export;

    @Option(names = "--proc-root", paramLabel = "DIR", defaultValue = "/proc", description = "This host's proc tree (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "-o", paramLabel = "OPT[,OPT...]", split = ",", description = "Extra FUSE mount options.")
    List<String> options = new ArrayList<>();

    @Mixin
    ClusterOptions clusterOptions;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    UserLimitOptions userLimits;

    @Mixin
    RecordOptions recordOptions;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where to mount the combined view.")
    Path mountpoint;

    @Override
    public Integer call() throws InterruptedException {
        StopSignals stop = StopSignals.install();
        String node = clusterOptions.name != null ? clusterOptions.name : Hosts.localName();
        Cluster cluster = clusterOptions.cluster(); // first: it applies --config's tls section, which the agent side uses too
        var serverTls = clusterOptions.tls.server(node);
        MetricsOptions.Mounted mounting = metricsOptions.mount(procRoot, mountpoint, options, cluster, clusterOptions.configuredMetricsListen(),
                userLimits.limits());
        Metrics metrics = mounting.metrics();
        MountService service = mounting.service();
        service.serveInBackground(MountService.DEFAULT_THREADS);
        Path exported = export == Export.combined ? service.mountpoint() : procRoot;
        // a tree node answers the level above with its own processes' table and every host's below it
        // (docs/scale.md), and its combined files straight from its view
        boolean tree = export == Export.combined && cluster != null;
        ProcTree ownTree = tree ? ProcTree.open(procRoot) : null; // its own processes' table: closed after the agent
        AutoCloseable closeOwnTree = () -> { if (ownTree != null) ownTree.close(); };
        TableSource subtree = tree ? cluster.subtreeTables(new ExportedTree(ownTree)) : null;
        FileSource combined = tree ? cluster.combinedFiles() : null;
        RunningAgent agent = null;
        try {
            agent = RunningAgent.start(exported, Hosts.parseAddress(listen), listen, node, serverTls, metrics, SignalMode.OFF, subtree, combined)
                    .scopesFrom(clusterOptions.cgroupRoot, clusterOptions.logRoot);
            if (tree) agent.recordFrom(ownTree).forwardHistory(new ForwardedHistory(node, cluster::peers, System::nanoTime));
            recordOptions.startOn(agent, clusterOptions.tls.client(node));
        } catch (UserError e) {
            if (agent != null) agent.close();
            service.close();
            metrics.close();
            if (ownTree != null) ownTree.close();
            throw e;
        }
        // agent and mount share one set of TLS files (and one reloader) unless the config says otherwise: one gauge
        MetricsEndpoint.exportExpiry(metrics, cluster != null && cluster.credentials() != null ? cluster.credentials() : agent.credentials());
        System.err.println("procsys: node " + node + ": combined view on " + service.mountpoint() + ", agent on " + agent.address()
                + " exporting " + (export == Export.combined ? "the combined view" : procRoot) + MetricsEndpoint.describe(metrics));
        // procsys status, which and kill on the node's mount, as on any mount
        MountEndpoints endpoints = MountEndpoints.start(service, procRoot, options.contains("allow_other"), userLimits.control());
        RunningAgent.serveUntilSignal(stop, "node", agent, closeOwnTree, service, metrics, endpoints);
        return 0;
    }
}
