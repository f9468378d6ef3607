package io.procsys.fs.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hosts below one tree-node peer, as its replies name them (PeerTables, docs/scale.md): a
 * host joins the view when a reply first names it ({@link HostSet#addBelow}: its processes are
 * listed and its pids mapped as any host's; it is no entry of hosts/ and no part of the combined
 * files, which the node's own combined files already hold) and leaves when a reply no longer
 * does. A host below a part that came without a table (a mid node late or down) stays: a slow
 * level must not renumber the processes beneath it.
 */
final class HostsBelow {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");

    private final Peer node;
    /** The node as the view holds it (its index is the one the hosts below hang from). */
    private Backend nodeInView;
    private final PeerTables tables;
    private final Supplier<HostSet> view;
    private final Duration window;
    private final TableBudget budget;
    /** Every TableBackend of the mount (released when stale, counted by the budget): those below join it. */
    private final List<TableBackend> tabled;
    /** By path in the node's view (hosts/NAME, hosts/mid/hosts/leaf). */
    private final Map<String, TableBackend> below = new HashMap<>();
    private boolean refusedLogged;

    /** The hosts below {@code node}, whose replies come from {@code fetch}. */
    HostsBelow(Peer node, PeerTables.Fetch fetch, Supplier<HostSet> view, Duration window, TableBudget budget, List<TableBackend> tabled) {
        this.node = node;
        this.tables = new PeerTables(node::name, fetch, window, System::nanoTime, this::paths);
        this.view = view;
        this.window = window;
        this.budget = budget;
        this.tabled = tabled;
    }

    /** The node's replies, shared by its own TableBackend and those below it. */
    PeerTables tables() {
        return tables;
    }

    /** The node's own backend in the view: what the hosts below hang from. */
    void nodeIs(Backend inView) {
        this.nodeInView = inView;
    }

    /** A reply's paths (true: with a table): hosts named for the first time join, hosts no longer named leave. */
    synchronized void paths(Map<String, Boolean> paths) {
        HostSet hosts = view.get();
        int index = hosts == null ? -1 : hosts.indexOf(nodeInView);
        if (index <= 0) return; // not mounted yet, or the node left the view
        for (Iterator<Map.Entry<String, TableBackend>> it = below.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, TableBackend> e = it.next();
            if (paths.containsKey(e.getKey()) || underFailed(e.getKey(), paths)) continue;
            hosts.remove(e.getValue());
            leave(e.getValue());
            it.remove();
        }
        for (String path : paths.keySet()) {
            if (path.isEmpty() || below.containsKey(path)) continue;
            TableBackend host = new TableBackend(new HostBelow(node, path),
                    (threads, parts, since) -> tables.table(path, threads, parts, since), window, budget);
            try {
                hosts.addBelow(index, host);
            } catch (IllegalStateException | IllegalArgumentException refused) { // every index used, or a name taken
                if (!refusedLogged) LOG.log(System.Logger.Level.WARNING, "host " + node.name() + ": cannot list the processes of "
                        + HostBelow.nameOf(node.name(), path) + " (and maybe others below it): " + refused.getMessage());
                refusedLogged = true;
                continue;
            }
            tabled.add(host);
            below.put(path, host);
        }
    }

    /** Whether the nearest part above {@code path} that the reply names came without a table. */
    private static boolean underFailed(String path, Map<String, Boolean> paths) {
        for (int slash = path.lastIndexOf("/hosts/"); slash > 0; slash = path.lastIndexOf("/hosts/", slash - 1)) {
            Boolean ok = paths.get(path.substring(0, slash));
            if (ok != null) return !ok;
        }
        return false;
    }

    private void leave(TableBackend host) {
        tabled.remove(host);
        host.close();
    }

    /** The node left the view: every host below it goes (HostSet.remove took them out of the view). */
    synchronized void clear() {
        below.values().forEach(this::leave);
        below.clear();
    }
}
