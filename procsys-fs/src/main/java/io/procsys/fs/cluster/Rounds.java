package io.procsys.fs.cluster;

import java.time.Duration;

/**
 * What the mount's rounds (combined files, listings, subtree replies) wait and serve: the
 * deadline bounds a round of reads (a listing may wait a host's longer table wait,
 * Backend.listingWait), and {@link Staleness} says how old a missed host's last contribution may
 * be and still be served.
 */
record Rounds(Duration deadline, Staleness staleness) {
    /** Default deadline, and no stale contribution served. */
    static final Rounds DEFAULT = new Rounds(Cluster.DEFAULT_DEADLINE, new Staleness(Duration.ZERO));
}
