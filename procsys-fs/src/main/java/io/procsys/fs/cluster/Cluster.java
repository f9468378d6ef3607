package io.procsys.fs.cluster;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.metrics.Metrics;
import io.procsys.net.ReloadingTls;
import io.procsys.net.Transport;
import io.procsys.net.agent.FileSource;
import io.procsys.net.agent.TableSource;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The other hosts a mount combines, and the connections to them. */
public final class Cluster implements AutoCloseable {
    /**
     * A peer as configured: its name in hosts/, its agent's address, and whether the
     * configuration makes it a tree node (the wait its Welcome announces is honoured, TableWaits;
     * a certificate with the node role does the same).
     */
    public record PeerAddress(String name, InetSocketAddress address, boolean node) {
        public PeerAddress(String name, InetSocketAddress address) {
            this(name, address, false);
        }
    }

    /** How many deadlines old a missed host's last contribution may be and still be served, by default (--stale-ms). */
    public static final int DEFAULT_STALE_DEADLINES = 4;

    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(500);
    /** What a host may be called under hosts/ (a node name an agent sends is checked against it). */
    public static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    /** How long a host's process table answers its process files (docs/process-table.md). */
    public static final Duration DEFAULT_TABLE_WINDOW = Duration.ofMillis(2000);

    private final String localName;
    private final EventLoopGroup loops = Transport.eventLoops(2);
    /** Every peer: configured ones, then those found through DNS (also ones not, or no longer, in the view). */
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final SslContext tls;
    private final Duration deadline;
    private volatile HostSet hosts;
    private DnsPeers dns;
    private ScheduledExecutorService dnsThread;
    /** Peers found through DNS that are in the view, and their backends there. */
    private final Map<Peer, Backend> joined = new ConcurrentHashMap<>();
    private final Duration reuse;
    private final Duration tableWindow;
    private final List<TableBackend> tabled = new CopyOnWriteArrayList<>();
    private final TableBudget tableBudget = TableBudget.forHosts(tabled::size);
    /** The filesystem made by {@link #filesystem}, once made. */
    private volatile ClusterFs filesystem;

    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline) {
        this(localName, addresses, tls, deadline, Duration.ZERO);
    }

    /** {@code reuse}: how long a combined file may be served again to later readers (0: off). */
    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline, Duration reuse) {
        this(localName, addresses, tls, deadline, reuse, DEFAULT_TABLE_WINDOW);
    }

    /** {@code tableWindow}: how long a host's process table serves its process files (0: no tables, a request per file). */
    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline, Duration reuse, Duration tableWindow) {
        this(localName, addresses, tls, deadline, reuse, tableWindow, null);
    }

    /** As above, the view of one scope ({@code scope}: `--scope`, docs/scope.md; null: the hosts whole). */
    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline, Duration reuse, Duration tableWindow,
                   ClusterScope scope) {
        this.scope = scope;
        this.localName = localName;
        this.reuse = reuse;
        this.tableWindow = tableWindow;
        this.tls = tls;
        this.deadline = deadline;
        this.staleness = new Staleness(deadline.multipliedBy(DEFAULT_STALE_DEADLINES));
        ReloadingTls files = ReloadingTls.of(tls);
        if (files != null) files.onCheck(checkPeers); // a peer whose certificate no longer validates is disconnected
        for (PeerAddress p : addresses) {
            Peer peer = scoped(new Peer(p.name(), p.address(), tls, localName, loops, deadline, p.node()));
            peers.add(peer.onUp(() -> staleness.connected(peer.name())).start());
        }
    }

    /** The scope of the view, or null. */
    private final ClusterScope scope;

    /** {@code p}, set up to take the view's scope on each connection (before it is up). */
    private Peer scoped(Peer p) {
        if (scope != null) p.beforeUp(scope.forPeer(p, deadline)::onConnect);
        return p;
    }

    /** Whether this is the view of one scope (`--scope`). */
    public boolean scoped() {
        return scope != null;
    }

    /** One line per host saying whether the scope is there and where (`procsys status`); none without a scope. */
    public List<String> scopeReport() {
        HostSet view = hosts;
        if (scope == null || view == null) return List.of();
        return scope.report(view.members().stream().map(HostSet.Member::backend).toList(), deadline);
    }

    private volatile Staleness staleness;
    private final Runnable checkPeers = this::checkPeers;

    /** Disconnects every peer whose certificate no longer validates with the TLS files as they are now. */
    private void checkPeers() {
        ReloadingTls files = ReloadingTls.of(tls);
        for (Peer p : peers) p.checkTrust(files::problem);
    }
    private volatile Duration maxBelowWait = TableWaits.DEFAULT_MAX_BELOW_WAIT;

    /** A host that misses a round is served from its last contribution while it is at most {@code bound} old (0: never). Call before {@link #filesystem}. */
    public Cluster staleness(Duration bound) {
        staleness = new Staleness(bound);
        return this;
    }

    /** What combined files, listings and subtree replies wait, and serve of a host that missed one. */
    private Rounds rounds() {
        return new Rounds(deadline, staleness);
    }

    /** The hosts served from an earlier answer lately, or left out (`procsys status`). */
    public List<Staleness.Host> staleHosts() {
        return staleness.hosts();
    }

    /** The hosts a share of the mount was taken back from (pid map, host indices): `procsys status` names them. */
    public List<Offenders.Quota> offenders() {
        ClusterFs fs = filesystem;
        return fs == null ? List.of() : fs.offenders();
    }

    /** The most a tree node's announced wait for the hosts below it is honoured (--max-below-wait): every peer, those found later too. */
    public Cluster maxBelowWait(Duration wait) {
        maxBelowWait = wait;
        for (Peer p : peers) p.maxBelowWait(wait);
        return this;
    }

    public List<Peer> peers() {
        return peers;
    }

    private volatile Duration actionDeadline = Peer.DEFAULT_ACTION_DEADLINE;

    /** How long actions (signals, setpriority, ioprio_get) wait for a host: every peer, those found later too. */
    public Cluster actionDeadline(Duration wait) {
        actionDeadline = wait;
        for (Peer p : peers) p.actionDeadline(wait);
        return this;
    }

    public Duration actionDeadline() {
        return actionDeadline;
    }

    /** The TLS files peers are dialled with, re-read as they change (expiry, reloads); null if the context is fixed or none. */
    public ReloadingTls credentials() {
        return ReloadingTls.of(tls);
    }

    /**
     * Also combines every agent at an address of DNS name {@code name} (A and AAAA records), on
     * {@code port}, looked up again every {@code refresh}: hosts join and leave the view as
     * records appear and disappear (DnsPeers). Call before {@link #filesystem}.
     */
    public Cluster discover(String name, int port, Duration refresh) {
        dns = new DnsPeers(name, port, refresh, this::connectFound, this::leave);
        return this;
    }

    /** The DNS discovery's state, or null without one. */
    public DnsPeers.Status discovery() {
        return dns == null ? null : dns.status();
    }

    /**
     * A backend for a peer in the view: its process tables in front of it (unless tables are off),
     * fetched with those of the hosts below it when it is a tree node (HostsBelow).
     */
    private Backend inView(Peer p) {
        HostsBelow below = new HostsBelow(p, (threads, parts) -> p.table(threads, parts, true), () -> hosts, tableWindow, tableBudget, tabled);
        if (tableWindow.isZero()) {
            treeNodes.put(p, below);
            return p;
        }
        PeerTables replies = below.tables();
        TableBackend t = new TableBackend(p, (threads, parts, since) -> replies.table("", threads, parts, since), tableWindow, tableBudget);
        below.nodeIs(t);
        tabled.add(t);
        treeNodes.put(t, below);
        return t;
    }

    /**
     * The combined files as a tree node's agent answers them to the level above: straight from the
     * view (the same fan-out and cache as a read of the mount), without a round trip through the
     * node's own FUSE mount or a file thread. Other files are read from the mount. Call after
     * {@link #filesystem}.
     */
    public FileSource combinedFiles() {
        return (path, alloc) -> !CombinedFiles.isCombined(path) ? null : combinedText(path)
                .thenApply(text -> (ByteBuf) alloc.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Each peer's replies and the hosts below it (none but a tree node has any), by the peer's backend in the view. */
    private final Map<Backend, HostsBelow> treeNodes = new ConcurrentHashMap<>();

    /**
     * What a tree node (`node --export combined`) answers the level above when asked for its
     * subtree: its own table, built from {@code own} (its own /proc), and each peer's reply under
     * hosts/NAME, in one bundle (docs/scale.md). Call after {@link #filesystem}.
     */
    public TableSource subtreeTables(ExportedTree own) {
        return new SubtreeExport(own, () -> hosts, backend -> {
            HostsBelow b = treeNodes.get(backend);
            return b == null ? null : b.tables();
        }, this::waitsForBelowMillis, () -> {
            ClusterFs fs = filesystem;
            return fs == null ? null : fs.localStartTimes();
        }, rounds());
    }

    /**
     * The longest this node may wait for its peers before it answers the level above: a first
     * table's wait, plus the longest any peer said it waits for the hosts below it (what the
     * agent's Welcome tells the level above, so it waits that much longer: deadlines nest).
     */
    long waitsForBelowMillis() {
        long below = 0;
        for (Peer p : peers) below = Math.max(below, p.agentWaitsMillis());
        return TableWaits.firstTableLimit(deadline).toMillis() + below;
    }

    private Peer connectFound(InetSocketAddress address) {
        Peer p = scoped(new Peer(null, address, tls, localName, loops, deadline)).actionDeadline(actionDeadline).maxBelowWait(maxBelowWait);
        p.onUp(() -> {
            staleness.connected(p.name());
            join(p);
        });
        peers.add(p);
        return p.start();
    }

    /** A peer found through DNS is connected: it joins the view under its agent's node name, unless that name is taken. */
    private synchronized void join(Peer p) {
        if (joined.containsKey(p) || hosts == null || !peers.contains(p)) return;
        if (!p.name().matches(NODE_NAME)) {
            dns.event("refused the node name of " + p.status().address() + ": not letters, digits, '.', '_' or '-' (at most 63)");
            return;
        }
        if (hosts.byName(p.name()) != null) {
            dns.event("two records lead to node " + p.name() + ": keeping the first, not " + p.status().address());
            return;
        }
        Backend b = inView(p);
        try {
            hosts.add(b);
        } catch (IllegalStateException full) {
            dns.event("cannot add " + p.name() + ": " + full.getMessage());
            return;
        }
        joined.put(p, b);
        dns.event("joined " + p.name());
    }

    private synchronized void leave(Peer p) {
        peers.remove(p);
        Backend b = joined.remove(p);
        if (b == null) return;
        hosts.remove(b);
        HostsBelow below = treeNodes.remove(b);
        if (below != null) below.clear();
        if (b instanceof TableBackend t) {
            tabled.remove(t);
            t.close();
        }
        dns.event("left " + p.name());
    }

    /** The filesystem: the local mirror plus hosts/ with this host first, then the peers in order. */
    public synchronized ClusterFs filesystem(ProcTree localTree) {
        return filesystem(localTree, new UserLimits(UserLimits.Limits.DEFAULT));
    }

    /** As above, holding every local user but root to {@code limits}. */
    public synchronized ClusterFs filesystem(ProcTree localTree, UserLimits limits) {
        List<Backend> initial = new ArrayList<>();
        ExportedTree localExport = new ExportedTree(localTree);
        ScopedLocal scopedHere = scope == null ? null : scope.local(localName, localExport, loops);
        initial.add(scopedHere != null ? scopedHere : new LocalBackend(localName, localExport));
        for (Peer p : peers) initial.add(inView(p));
        hosts = new HostSet(initial);
        // an idle mount keeps no table past its window
        long keep = staleness.bound().toNanos(); // a table may be served stale this long
        loops.scheduleAtFixedRate(() -> {
            tabled.forEach(t -> t.releaseIfStale(keep));
            treeNodes.values().forEach(b -> b.tables().releaseIfStale(keep));
        }, 1, 1, TimeUnit.SECONDS);
        if (dns != null) {
            // lookups block (the system resolver): a thread of their own, not a Netty event loop
            dnsThread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dns-peers").factory());
            dnsThread.scheduleWithFixedDelay(dns::refresh, 0, dns.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        filesystem = new ClusterFs(localTree, hosts, reuse, limits, rounds());
        if (scopedHere != null) filesystem.showOnly(scopedHere.scope(), scope::inView);
        actions = new ClusterActions(hosts, filesystem.pids());
        return filesystem;
    }

    private volatile ClusterActions actions;

    /** Acting on the hosts' processes (signals, setpriority, ioprio_get, which); null before {@link #filesystem}. */
    public ClusterActions actions() {
        return actions;
    }

    /** The combined {@code path} (a file of {@code Aggregators}) as the mount serves it now; fails before {@link #filesystem}. */
    public CompletableFuture<String> combinedText(String path) {
        ClusterFs fs = filesystem;
        if (fs == null) return CompletableFuture.failedFuture(new IllegalStateException("not mounted"));
        return fs.combined().text(path);
    }

    /**
     * What changes when a host joins, leaves, goes down or comes back (the hosts in the view and
     * each peer's state), for those who keep something in step with the view; cheap, no request.
     */
    public List<String> membership() {
        List<String> state = new ArrayList<>();
        HostSet view = hosts;
        if (view != null) for (HostSet.Member m : view.members()) state.add(m.index() + " " + m.backend().name());
        for (Peer p : peers) state.add(p.status().name() + " " + p.status().state());
        return state;
    }

    /**
     * Registers the peers' and the combined files' metrics with {@code metrics}, read from their
     * counters at each scrape (docs/operating.md "Metrics"; {@link ClusterMetrics}).
     */
    public void exportTo(Metrics metrics) {
        ClusterMetrics.register(metrics, peers, () -> filesystem, this::clock);
    }

    /** The view's boot and each host's measured here (procsys status); null before {@link #filesystem}. */
    public ClockStatus clock() {
        ClusterFs fs = filesystem;
        return fs == null ? null : fs.clock();
    }

    @Override
    public void close() {
        ReloadingTls files = ReloadingTls.of(tls);
        if (files != null) files.noLongerOnCheck(checkPeers);
        if (dnsThread != null) dnsThread.shutdownNow();
        if (dns != null) dns.close();
        peers.forEach(Peer::close);
        if (scope != null) scope.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
