package io.procsys.fs.cluster;

import io.procsys.net.Certificates;
import io.procsys.net.client.AgentClient;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * How long a peer's process tables may take (docs/scale.md, "Deadlines nest"): the deadline;
 * once per host, until it has answered a table, a longer first wait (a cold host builds its first
 * table slowly); and for a tree node, what its Welcome says it may itself wait for the hosts
 * below it. That last wait is honoured only from a peer that is a node here — its certificate
 * carries the node role, or the mount's configuration says so — and at most
 * {@code --max-below-wait}: any other agent could announce ten minutes and hold every listing
 * that long.
 */
final class TableWaits {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    /** The default of --max-below-wait: two levels of nodes below, each with a first table's wait. */
    static final Duration DEFAULT_MAX_BELOW_WAIT = Duration.ofSeconds(20);

    private final Supplier<String> name;
    private final Duration deadline;
    private final boolean nodeByConfig;
    private volatile Duration maxBelowWait = DEFAULT_MAX_BELOW_WAIT;
    /** Whether the long first wait was given, whether a table ever came (guarded by this; for the host, not a connection). */
    private boolean firstWaitGiven, answered;
    private final AtomicBoolean notHonouredLogged = new AtomicBoolean();

    TableWaits(Supplier<String> name, Duration deadline, boolean nodeByConfig) {
        this.name = name;
        this.deadline = deadline;
        this.nodeByConfig = nodeByConfig;
    }

    void maxBelowWait(Duration wait) {
        this.maxBelowWait = wait;
    }

    Duration maxBelowWait() {
        return maxBelowWait;
    }

    /** Whether the peer behind {@code client} is a tree node here: by configuration, or by its certificate's node role. */
    boolean isNode(AgentClient client) {
        if (nodeByConfig) return true;
        X509Certificate cert = client == null ? null : client.peerCertificate();
        return cert != null && Certificates.hasRole(cert, Certificates.NODE_ROLE_URI);
    }

    /** The wait for the hosts below it that the agent announced and this mount honours (0: none, or not a node). */
    long honouredMillis(AgentClient client) {
        long announced = client == null ? 0 : client.peerWaitsMillis();
        if (announced == 0) return 0;
        if (!isNode(client)) {
            if (notHonouredLogged.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "the agent of " + name.get() + " announces a wait of " + announced + " ms for hosts below it,"
                        + " but it is no tree node here (no node role in its certificate, not configured as one): the wait is not honoured");
            }
            return 0;
        }
        return Math.min(announced, maxBelowWait.toMillis());
    }

    /** The wait of one table request: how long, and whether it is the host's first table (asked even while the host is late). */
    record Wait(Duration limit, boolean first) {}

    /** How long the next table request to the peer may take; gives the long first wait if it is due. */
    synchronized Wait nextTable(AgentClient client) {
        boolean first = firstWaitDue();
        firstWaitGiven |= !answered && client != null && client.isActive(); // given only when the request goes out
        return new Wait((first ? firstTableLimit(deadline) : deadline).plusMillis(honouredMillis(client)), first);
    }

    /** As {@link #nextTable}, for a listing about to ask: without giving anything. */
    synchronized Duration listingWait(AgentClient client) {
        return (firstWaitDue() ? firstTableLimit(deadline) : deadline).plusMillis(honouredMillis(client));
    }

    /** Whether the host's first table is still to be asked for, with its long wait. */
    synchronized boolean firstWaitDue() {
        return !answered && !firstWaitGiven;
    }

    /** A table came: no first wait for this host again, even after a reconnect. */
    synchronized void answered() {
        answered = true;
    }

    /** How long a host's first table may take, for a peer with {@code deadline}. */
    static Duration firstTableLimit(Duration deadline) {
        Duration deadlines = deadline.multipliedBy(Peer.FIRST_TABLE_DEADLINES);
        return deadlines.compareTo(Peer.FIRST_TABLE_FLOOR) > 0 ? deadlines : Peer.FIRST_TABLE_FLOOR;
    }
}
