package io.procsys.fs.history;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.procsys.fs.cluster.Peer;
import io.procsys.history.RecordedHistory;
import io.procsys.net.agent.HistorySource;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.HistoryHostList;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a tree node (node --export combined) answers the level above for the hosts below it
 * (docs/history.md, "Trees"): a History request for one of its peers is asked of that peer's
 * agent, for its own past; one for a host a peer lists (archived to it, or below it when it is a
 * tree node too) is asked of that peer by name. HistoryHosts lists the peers and, flattened, every
 * name their agents list (the first peer to list a name is the one asked). Bounded: each answer
 * within {@link #WAIT} and {@link RecordedHistory#MAX_ANSWER_BYTES}, at most
 * {@link #MAX_IN_FLIGHT} forwarded at once (a loop of misconfigured nodes stays small); a host
 * neither a peer nor listed is ENOENT.
 */
public final class ForwardedHistory implements HistorySource {
    /** Longest wait for a host below: under the mount's wait for this node (AgentPast.WAIT). */
    static final Duration WAIT = AgentPast.WAIT.minusSeconds(2);
    /** Longest wait for a peer's listing. */
    static final Duration LISTING_WAIT = Duration.ofSeconds(3);
    /** How long the peers' listings are used before they are asked again. */
    static final Duration LISTINGS_KEPT = Duration.ofSeconds(10);
    /** Most requests forwarded and unanswered at once. */
    static final int MAX_IN_FLIGHT = 16;

    private final String own;
    private final Supplier<List<Peer>> peers;
    private final LongSupplier nanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Which peer is asked for each listed name, and when that was learnt. */
    private volatile Listings listings;

    private record Listings(Map<String, Peer> via, long atNanos) {}

    /** {@code own}: this node's name (never forwarded); {@code peers}: the node's peers (Cluster.peers). */
    public ForwardedHistory(String own, Supplier<List<Peer>> peers, LongSupplier nanos) {
        this.own = own;
        this.peers = peers;
        this.nanos = nanos;
    }

    @Override
    public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
        if (host.isEmpty() || host.equals(own)) return failed(Errno.ENOENT, "this node's own past is its recording's");
        Peer direct = peer(host);
        if (direct != null) return forward(direct, "", fromMillis, toMillis);
        return listings().thenCompose(l -> {
            Peer via = l.via().get(host);
            return via == null ? failed(Errno.ENOENT, "no host " + host + " below this node") : forward(via, host, fromMillis, toMillis);
        });
    }

    @Override
    public CompletableFuture<List<String>> hosts() {
        return listings().thenApply(l -> {
            List<String> names = new ArrayList<>();
            for (Peer p : peers.get()) if (valid(p.name())) names.add(p.name());
            for (String listed : l.via().keySet()) if (!names.contains(listed)) names.add(listed);
            return List.copyOf(names.subList(0, Math.min(names.size(), HistoryHostList.MAX_HOSTS)));
        });
    }

    private boolean valid(String name) {
        return !name.equals(own) && name.matches(HistoryHostList.HOST_NAME);
    }

    private Peer peer(String name) {
        for (Peer p : peers.get()) if (p.name().equals(name)) return p;
        return null;
    }

    /** The peers' listings, asked again when older than {@link #LISTINGS_KEPT}; a peer that fails lists nothing. */
    private CompletableFuture<Listings> listings() {
        Listings l = listings;
        if (l != null && nanos.getAsLong() - l.atNanos() < LISTINGS_KEPT.toNanos()) return CompletableFuture.completedFuture(l);
        List<Peer> below = List.copyOf(peers.get());
        List<CompletableFuture<List<String>>> asked = new ArrayList<>();
        for (Peer p : below) {
            AgentClient c = p.connection();
            asked.add(c == null ? CompletableFuture.completedFuture(List.of())
                    : c.historyHosts(LISTING_WAIT.toMillis()).orTimeout(LISTING_WAIT.toMillis() + 500, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> List.of()));
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Peer> via = new LinkedHashMap<>();
            for (int i = 0; i < below.size(); i++) {
                for (String name : asked.get(i).join()) {
                    if (valid(name) && peer(name) == null && via.size() < HistoryHostList.MAX_HOSTS) via.putIfAbsent(name, below.get(i));
                }
            }
            Listings fresh = new Listings(java.util.Collections.unmodifiableMap(via), nanos.getAsLong()); // in the order the peers listed them
            listings = fresh;
            return fresh;
        });
    }

    /** Asks {@code peer} for {@code host} ("" its own), bounded as the class comment says. */
    private CompletableFuture<byte[]> forward(Peer peer, String host, long fromMillis, long toMillis) {
        AgentClient c = peer.connection();
        if (c == null) return failed(Errno.EHOSTUNREACH, "host " + peer.name() + " below this node is not connected");
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            return failed(Errno.EAGAIN, MAX_IN_FLIGHT + " requests for the past already forwarded below");
        }
        CompletableFuture<byte[]> answer = c.history(host, fromMillis, toMillis, WAIT.toMillis()).handle((bytes, error) -> {
            if (error != null) throw failure(peer, error);
            return capped(peer, bytes);
        });
        answer.whenComplete((b, e) -> inFlight.decrementAndGet());
        return answer;
    }

    private static byte[] capped(Peer peer, ByteBuf bytes) {
        try {
            if (bytes.readableBytes() > RecordedHistory.MAX_ANSWER_BYTES) {
                throw new ErrnoException(Errno.EFBIG, "host " + peer.name() + " answered " + bytes.readableBytes() + " bytes of its past");
            }
            return ByteBufUtil.getBytes(bytes);
        } finally {
            bytes.release();
        }
    }

    private static ErrnoException failure(Peer peer, Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        if (e instanceof ErrnoException r) return r;
        if (e instanceof TimeoutException) return new ErrnoException(Errno.ETIMEDOUT, "host " + peer.name() + " did not answer in time");
        return new ErrnoException(Errno.EIO, "host " + peer.name() + ": " + e);
    }

    private static <T> CompletableFuture<T> failed(int errno, String why) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, why));
    }
}
