package io.procsys.fs.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Peers found through DNS (`--peers-dns NAME:PORT`): every A/AAAA record of NAME is one agent.
 * NAME is resolved again every refresh; an address that appears gets a peer, which joins the
 * view under the node name its agent sends in the hello once it is connected; an address that
 * disappears leaves. A lookup that fails or finds nothing keeps the last good set and is
 * reported. Each refresh runs on the caller's thread (a scheduled task of the cluster).
 */
public final class DnsPeers {
    private static final Logger LOG = Logger.getLogger(DnsPeers.class.getName());
    private static final int EVENTS_KEPT = 50;

    /**
     * Makes every lookup ask DNS instead of the JVM's 30 s cache, so each refresh sees the records
     * of now. The JVM reads this once, at its first lookup: call it before anything resolves a name.
     */
    public static void askDnsEveryTime() {
        java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** What `procsys status` shows of the discovery. */
    public record Status(String name, int port, long refreshSeconds, int addresses, String lastError, List<String> events) {}

    private final String name;
    private final int port;
    private final Duration refresh;
    private final Function<InetSocketAddress, Peer> connect;
    private final Consumer<Peer> leave;
    private final Map<InetAddress, Peer> byAddress = new ConcurrentHashMap<>();
    private final Deque<String> events = new ArrayDeque<>();
    private volatile String lastError = "";

    /**
     * {@code connect} makes and starts a peer for an address (it joins when connected);
     * {@code leave} takes a peer out of the view before it is closed.
     */
    DnsPeers(String name, int port, Duration refresh, Function<InetSocketAddress, Peer> connect, Consumer<Peer> leave) {
        this.name = name;
        this.port = port;
        this.refresh = refresh;
        this.connect = connect;
        this.leave = leave;
    }

    Duration refreshInterval() {
        return refresh;
    }

    /** Resolves the name once and brings the peers in line with its records. */
    synchronized void refresh() {
        Set<InetAddress> found;
        try {
            found = new LinkedHashSet<>(Arrays.asList(InetAddress.getAllByName(name)));
        } catch (UnknownHostException | SecurityException e) {
            failed("cannot resolve " + name + ": " + e.getMessage());
            return;
        }
        if (found.isEmpty()) {
            failed(name + " has no address");
            return;
        }
        lastError = "";
        for (InetAddress address : found) {
            if (byAddress.containsKey(address)) continue;
            // dialled by NAME with the record's address: TLS sees the name the certificates carry
            InetAddress named;
            try {
                named = InetAddress.getByAddress(name, address.getAddress());
            } catch (UnknownHostException impossible) {
                named = address;
            }
            Peer peer = connect.apply(new InetSocketAddress(named, port));
            byAddress.put(address, peer);
            event("found " + address.getHostAddress());
        }
        for (InetAddress address : List.copyOf(byAddress.keySet())) {
            if (found.contains(address)) continue;
            Peer peer = byAddress.remove(address);
            leave.accept(peer);
            peer.close();
            event("gone " + address.getHostAddress() + " (" + peer.name() + ")");
        }
    }

    private void failed(String why) {
        if (!why.equals(lastError)) LOG.warning(why + "; keeping the " + byAddress.size() + " host(s) found before");
        lastError = why;
    }

    /** Records an event (its own lock: the cluster calls this while holding its lock, and refresh calls the cluster). */
    void event(String what) {
        synchronized (events) {
            events.addLast(Instant.now().toString().replaceAll("\\.\\d+Z$", "Z") + " " + what);
            while (events.size() > EVENTS_KEPT) events.removeFirst();
        }
        LOG.info("peers of " + name + ": " + what);
    }

    /** The state now; never waits for a lookup in progress. */
    Status status() {
        synchronized (events) {
            return new Status(name, port, refresh.toSeconds(), byAddress.size(), lastError, List.copyOf(events));
        }
    }

    void close() {
        byAddress.values().forEach(Peer::close);
        byAddress.clear();
    }
}
