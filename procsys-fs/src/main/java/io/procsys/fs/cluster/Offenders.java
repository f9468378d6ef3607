package io.procsys.fs.cluster;

import io.procsys.fs.identity.PidMap;
import io.procsys.fs.identity.PidQuotas;

import java.util.ArrayList;
import java.util.List;

/**
 * The hosts a share of the mount was taken back from (issue 36): a host over its share of the
 * pid map, a tree holding the most of a full map, a tree node naming more hosts than its share of
 * host indices. The offender pays first, and `procsys status` names it.
 */
public final class Offenders {
    /** What one host or tree node was held to: which quota, how many entries went, how many of its hosts were refused. */
    public record Quota(String host, String quota, long evicted, long refused) {}

    static final String HOST_PIDS = "pid map share of one host", TREE_PIDS = "pid map share of one tree (the map was full)",
            NODE_INDICES = "host indices of one tree node";

    private Offenders() {}

    static List<Quota> of(HostSet hosts, PidMap pids) {
        List<Quota> out = new ArrayList<>();
        for (PidQuotas.Evicted e : pids.evictions()) {
            Backend b = hosts.get(e.index());
            out.add(new Quota(b == null ? "host #" + e.index() : b.name(), e.group() ? TREE_PIDS : HOST_PIDS, e.entries(), 0));
        }
        for (HostSet.QuotaUse q : hosts.quotaUse()) out.add(new Quota(q.node(), NODE_INDICES, q.reusedEarly(), q.refused()));
        return out;
    }
}
