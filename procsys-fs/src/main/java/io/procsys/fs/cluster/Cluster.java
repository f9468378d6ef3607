package io.procsys.fs.cluster;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.Transport;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The other hosts a mount combines, and the connections to them. */
public final class Cluster implements AutoCloseable {
    /** A peer as configured: its name in hosts/ and its agent's address. */
    public record PeerAddress(String name, InetSocketAddress address) {}

    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(500);
    /** How long a host's process table answers its process files (docs/process-table.md). */
    public static final Duration DEFAULT_TABLE_WINDOW = Duration.ofMillis(2000);

    private final String localName;
    private final EventLoopGroup loops = Transport.eventLoops(2);
    private final List<Peer> peers = new ArrayList<>();
    private final Duration reuse;
    private final Duration tableWindow;
    private final TableBudget tableBudget = new TableBudget(TableBudget.DEFAULT_BYTES);
    private final List<TableBackend> tabled = new ArrayList<>();

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
        for (PeerAddress p : addresses) {
            peers.add(new Peer(p.name(), p.address(), tls, localName, loops, deadline).start());
        }
    }

    public List<Peer> peers() {
        return peers;
    }

    /** The filesystem: the local mirror plus hosts/ with this host first, then the peers in order. */
    public ClusterFs filesystem(ProcTree localTree) {
        List<Backend> hosts = new ArrayList<>();
        hosts.add(new LocalBackend(localName, new ExportedTree(localTree)));
        for (Peer p : peers) {
            if (tableWindow.isZero()) {
                hosts.add(p);
                continue;
            }
            TableBackend t = new TableBackend(p, tableWindow, tableBudget);
            tabled.add(t);
            hosts.add(t);
        }
        if (!tabled.isEmpty()) {
            // an idle mount keeps no table past its window
            loops.scheduleAtFixedRate(() -> tabled.forEach(TableBackend::releaseIfStale), 1, 1, TimeUnit.SECONDS);
        }
        return new ClusterFs(localTree, hosts, reuse);
    }

    @Override
    public void close() {
        peers.forEach(Peer::close);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
