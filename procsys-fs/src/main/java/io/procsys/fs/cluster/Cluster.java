package io.procsys.fs.cluster;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.ReloadingTls;
import io.procsys.net.Transport;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The other hosts a mount combines, and the connections to them. */
public final class Cluster implements AutoCloseable {
    /** A peer as configured: its name in hosts/ and its agent's address. */
    public record PeerAddress(String name, InetSocketAddress address) {}

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
    private HostSet hosts;
    private DnsPeers dns;
    private ScheduledExecutorService dnsThread;
    /** Peers found through DNS that are in the view, and their backends there. */
    private final Map<Peer, Backend> joined = new ConcurrentHashMap<>();
    private final Duration reuse;
    private final Duration tableWindow;
    private final TableBudget tableBudget = new TableBudget(TableBudget.DEFAULT_BYTES);
    private final List<TableBackend> tabled = new CopyOnWriteArrayList<>();

    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline) {
        this(localName, addresses, tls, deadline, Duration.ZERO);
    }

    /** {@code reuse}: how long a combined file may be served again to later readers (0: off). */
    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline, Duration reuse) {
        this(localName, addresses, tls, deadline, reuse, DEFAULT_TABLE_WINDOW);
    }

    /** {@code tableWindow}: how long a host's process table serves its process files (0: no tables, a request per file). */
    public Cluster(String localName, List<PeerAddress> addresses, SslContext tls, Duration deadline, Duration reuse, Duration tableWindow) {
        this.localName = localName;
        this.reuse = reuse;
        this.tableWindow = tableWindow;
        this.tls = tls;
        this.deadline = deadline;
        for (PeerAddress p : addresses) {
            peers.add(new Peer(p.name(), p.address(), tls, localName, loops, deadline).start());
        }
    }

    public List<Peer> peers() {
        return peers;
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

    /** A backend for a peer in the view: its process tables in front of it (unless tables are off). */
    private Backend inView(Peer p) {
        if (tableWindow.isZero()) return p;
        TableBackend t = new TableBackend(p, tableWindow, tableBudget);
        tabled.add(t);
        return t;
    }

    private Peer connectFound(InetSocketAddress address) {
        Peer p = new Peer(null, address, tls, localName, loops, deadline);
        p.onUp(() -> join(p));
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
        if (b instanceof TableBackend t) {
            tabled.remove(t);
            t.close();
        }
        dns.event("left " + p.name());
    }

    /** The filesystem: the local mirror plus hosts/ with this host first, then the peers in order. */
    public synchronized ClusterFs filesystem(ProcTree localTree) {
        List<Backend> initial = new ArrayList<>();
        initial.add(new LocalBackend(localName, new ExportedTree(localTree)));
        for (Peer p : peers) initial.add(inView(p));
        hosts = new HostSet(initial);
        // an idle mount keeps no table past its window
        loops.scheduleAtFixedRate(() -> tabled.forEach(TableBackend::releaseIfStale), 1, 1, TimeUnit.SECONDS);
        if (dns != null) {
            // lookups block (the system resolver): a thread of their own, not a Netty event loop
            dnsThread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dns-peers").factory());
            dnsThread.scheduleWithFixedDelay(dns::refresh, 0, dns.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        return new ClusterFs(localTree, hosts, reuse);
    }

    @Override
    public void close() {
        if (dnsThread != null) dnsThread.shutdownNow();
        if (dns != null) dns.close();
        peers.forEach(Peer::close);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
