package io.procsys.cli;

import io.procsys.daemon.UserError;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.ClusterScope;
import io.procsys.scope.ScopeSources;
import io.procsys.fs.cluster.Peer;
import io.procsys.fs.identity.HostIndex;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options that make a mount combine other hosts (mount and exec share them). */
final class ClusterOptions {
    /** Combined files are served again for this long: tools that read one per process (pgrep, pstree: uptime) then cost one fan-out, not hundreds. */
    static final long DEFAULT_CACHE_MILLIS = 200;

    @Option(names = "--peer", paramLabel = "NAME=HOST:PORT",
            description = "Another host to combine: its agent's address and its name under hosts/. Repeatable.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--node-peer", paramLabel = "NAME=HOST:PORT",
            description = "A peer that is a tree node (procsys node): as --peer, and the wait its agent announces for the hosts below it "
                    + "is honoured, up to --max-below-wait-ms (a certificate with the node role, procsys certs --tree-node, does the same). Repeatable.")
    List<String> nodePeers = new ArrayList<>();

    @Option(names = "--max-below-wait-ms", paramLabel = "MS",
            description = "The longest a tree node's announced wait for the hosts below it is honoured, for its process tables (default: 20000).")
    Long maxBelowWaitMillis;

    @Option(names = "--stale-ms", paramLabel = "MS",
            description = "A host that misses a round (a combined file, a listing) is served from its last answer while it is at most this old, "
                    + "shown STALE in procsys status; then it is left out (default: 4 deadlines; 0: left out at once).")
    Long staleMillis;

    @Option(names = "--name", paramLabel = "NAME", description = "This host's name under hosts/ (default: the host name).")
    String name;

    @Option(names = "--deadline-ms", paramLabel = "MS",
            description = "Longest wait for a peer's answer; a peer that misses it is left out (default: 500).")
    Long deadlineMillis;

    @Option(names = "--action-deadline-ms", paramLabel = "MS",
            description = "Longest wait for a host to answer an action (a signal, renice, ioprio); one that misses it gives EAGAIN (default: 5000).")
    Long actionDeadlineMillis;

    @Option(names = "--cache-ms", paramLabel = "MS",
            description = "Serve a combined file again for this long (default: 200; 0: only readers that arrive during one fetch share it). pgrep and pstree read uptime once per process.")
    Long cacheMillis;

    @Option(names = "--peers-dns", paramLabel = "NAME:PORT",
            description = "Also combine every agent at an address of DNS name NAME (each A/AAAA record is one agent on PORT, "
                    + "named by the node name it sends): hosts join and leave as records do (a Kubernetes headless Service, say).")
    String peersDns;

    @Option(names = "--dns-refresh", paramLabel = "SECONDS",
            description = "How often --peers-dns looks NAME up again (default: 30). A failed lookup keeps the last hosts.")
    Long dnsRefreshSeconds;

    @Option(names = "--table-ms", paramLabel = "MS",
            description = "Listing a host's processes fetches its process table in one request; for this long its process files are served from it (default: 2000; 0: one request per file).")
    Long tableMillis;

    @Option(names = "--scope", paramLabel = "SPEC",
            description = "Show one service across the hosts (docs/scope.md): only its processes, and its own memory, CPUs, load and disk I/O "
                    + "in meminfo, swaps, cpuinfo, stat, uptime, loadavg and diskstats; a host without it is left out (procsys status says why). "
                    + "SPEC: a cgroup path (/system.slice/web.service), a systemd unit (web.service), CONTROLLER:/PATH (cgroup v1), "
                    + "k8s=NAMESPACE/POD-GLOB[:CONTAINER] or k8s-pod=UID[,UID...] (kubelet's /var/log/pods; web-* also matches web-admin-...). "
                    + "Repeatable: the union. Also on a mount without peers (this host only).")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--cgroup-root", paramLabel = "DIR", description = "Where this host's cgroup filesystems are, for --scope (default: /sys/fs/cgroup).")
    Path cgroupRoot;

    @Option(names = "--log-root", paramLabel = "DIR", description = "Where kubelet's pods/ and containers/ logs are, for --scope k8s=... (default: /var/log).")
    Path logRoot;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with name, peers, peersDns, dnsRefreshSeconds, tls, deadlineMs, actionDeadlineMs, cacheMs, tableMs, staleMs, maxBelowWaitMs, scope, metricsListen; options win over it.")
    Path config;

    /** The config file's metricsListen (mount only), or null. */
    String configuredMetricsListen() {
        return config == null ? null : ClusterConfig.load(config).metricsListen();
    }

    @Mixin
    TlsOptions tls;

    /** The view's scope, or null without --scope; a malformed spec is a one-line user error. */
    private ClusterScope viewScope(List<String> specs) {
        if (specs.isEmpty()) return null;
        try {
            return new ClusterScope(specs, cgroupRoot != null ? cgroupRoot : ScopeSources.CGROUP_ROOT, logRoot != null ? logRoot : ScopeSources.LOG_ROOT);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        }
    }

    /** The peers to combine, or null for a plain single-host mirror. */
    Cluster cluster() {
        List<String> allPeers = new ArrayList<>(peers);
        allPeers.addAll(nodePeers);
        List<String> nodes = new ArrayList<>();
        for (String n : nodePeers) nodes.add(n.substring(0, Math.max(0, n.indexOf('='))));
        long deadline = deadlineMillis != null ? deadlineMillis : Cluster.DEFAULT_DEADLINE.toMillis();
        long actionDeadline = actionDeadlineMillis != null ? actionDeadlineMillis : Peer.DEFAULT_ACTION_DEADLINE.toMillis();
        long cache = cacheMillis != null ? cacheMillis : DEFAULT_CACHE_MILLIS;
        long table = tableMillis != null ? tableMillis : Cluster.DEFAULT_TABLE_WINDOW.toMillis();
        Long stale = staleMillis;
        long maxBelowWait = maxBelowWaitMillis != null ? maxBelowWaitMillis : 20_000;
        String dns = peersDns;
        long refresh = dnsRefreshSeconds != null ? dnsRefreshSeconds : 30;
        String configuredName = name;
        List<String> scope = new ArrayList<>(scopes);
        if (config != null) {
            ClusterConfig c = ClusterConfig.load(config);
            if (c.peers() != null) {
                for (ClusterConfig.PeerEntry p : c.peers()) {
                    if (p == null || p.name() == null || p.address() == null) throw new UserError("config " + config + ": every peer needs a name and an address", 2);
                    allPeers.add(p.name() + "=" + p.address());
                    if (Boolean.TRUE.equals(p.node())) nodes.add(p.name());
                }
            }
            if (deadlineMillis == null && c.deadlineMs() != null) deadline = c.deadlineMs();
            if (actionDeadlineMillis == null && c.actionDeadlineMs() != null) actionDeadline = c.actionDeadlineMs();
            if (cacheMillis == null && c.cacheMs() != null) cache = c.cacheMs();
            if (tableMillis == null && c.tableMs() != null) table = c.tableMs();
            if (stale == null) stale = c.staleMs();
            if (maxBelowWaitMillis == null && c.maxBelowWaitMs() != null) maxBelowWait = c.maxBelowWaitMs();
            if (dns == null) dns = c.peersDns();
            if (dnsRefreshSeconds == null && c.dnsRefreshSeconds() != null) refresh = c.dnsRefreshSeconds();
            if (configuredName == null) configuredName = c.name();
            if (scope.isEmpty() && c.scope() != null) scope.addAll(c.scope());
            if (c.tls() != null) tls.defaults(c.tls().cert(), c.tls().key(), c.tls().ca(), Boolean.TRUE.equals(c.tls().insecure()));
        }
        if (allPeers.isEmpty() && dns == null && scope.isEmpty()) return null;
        ClusterScope viewScope = viewScope(scope);
        if (refresh < 1 || refresh > 86_400) throw new UserError("the DNS refresh must be between 1 and 86400 s", 2);
        if (deadline < 10 || deadline > 60_000) throw new UserError("the deadline must be between 10 and 60000 ms", 2);
        if (actionDeadline < 10 || actionDeadline > 60_000) throw new UserError("the action deadline must be between 10 and 60000 ms", 2);
        if (cache < 0 || cache > 60_000) throw new UserError("the cache time must be between 0 and 60000 ms", 2);
        if (table < 0 || table > 60_000) throw new UserError("the table time must be between 0 and 60000 ms", 2);
        long staleBound = stale != null ? stale : deadline * Cluster.DEFAULT_STALE_DEADLINES;
        if (staleBound < 0 || staleBound > 600_000) throw new UserError("the staleness bound (--stale-ms) must be between 0 and 600000 ms", 2);
        if (maxBelowWait < 0 || maxBelowWait > 600_000) throw new UserError("--max-below-wait-ms must be between 0 and 600000 ms", 2);
        if (allPeers.size() > HostIndex.MAX) throw new UserError(allPeers.size() + " peers: a mount combines at most " + HostIndex.MAX + " other hosts", 2);
        String node = configuredName != null ? configuredName : Hosts.localName();
        List<Cluster.PeerAddress> addresses = new ArrayList<>();
        for (String peer : allPeers) {
            int eq = peer.indexOf('=');
            if (eq <= 0) throw new UserError("--peer '" + peer + "' is not NAME=HOST:PORT", 2);
            String peerName = peer.substring(0, eq);
            if (!peerName.matches(Cluster.NODE_NAME) || peerName.equals(node)) {
                throw new UserError("--peer name '" + peerName + "' must be a unique name of letters, digits, . _ -", 2);
            }
            if (addresses.stream().anyMatch(a -> a.name().equals(peerName))) throw new UserError("--peer " + peerName + " given twice", 2);
            addresses.add(new Cluster.PeerAddress(peerName, Hosts.parseAddress(peer.substring(eq + 1)), nodes.contains(peerName)));
        }
        boolean alone = addresses.isEmpty() && dns == null; // a scope of this host only: no connection, no TLS files needed
        Cluster cluster = new Cluster(node, addresses, alone ? null : tls.client(node), Duration.ofMillis(deadline), Duration.ofMillis(cache), Duration.ofMillis(table),
                viewScope).actionDeadline(Duration.ofMillis(actionDeadline)).maxBelowWait(Duration.ofMillis(maxBelowWait))
                .staleness(Duration.ofMillis(staleBound));
        if (dns != null) {
            InetSocketAddress at = Hosts.parseAddress(dns);
            cluster.discover(at.getHostString(), at.getPort(), Duration.ofSeconds(refresh));
        }
        return cluster;
    }
}
