package io.procsys.fs.cluster;

import io.procsys.fs.NodeKind;
import io.procsys.fs.identity.PidMap;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntToLongFunction;

/**
 * The remote part of the cluster root's listing (what ps, top, pgrep and pstree start with): the
 * processes of every remote host under their cluster pids, asked in one {@link Round}. Its bound
 * is the deadline, or the longest table wait of a host it waits for (Backend.listingWait: a first
 * table, a tree node's honoured wait for the hosts below it); a late host is asked but not waited
 * for. A host whose table did not come is listed from its last table while that is within
 * --stale-ms (Backend.staleRoot; its files are then served from it too), else left out; both are
 * said (Staleness; a host left out also through Backend.tableError: status, metric, log).
 */
final class RootListing {
    /** What a round adds to the longest wait before it gives up: the replies of the hosts below a node are unpacked after it came. */
    private static final Duration SLACK = Duration.ofMillis(50);

    private final HostSet hosts;
    private final PidMap pids;
    private final Rounds rounds;

    RootListing(HostSet hosts, PidMap pids, Rounds rounds) {
        this.hosts = hosts;
        this.pids = pids;
        this.rounds = rounds;
    }

    /** One host's answer to a listing: its processes under their cluster pids. */
    private record Asked(HostSet.Member host, CompletableFuture<List<ExportedTree.Entry>> entries) {}

    /** The processes of every remote host, for a listing that begins now; completes (never exceptionally) by the round's bound. */
    CompletableFuture<List<ExportedTree.Entry>> remoteProcesses() {
        long since = System.nanoTime();
        List<Asked> asked = new CopyOnWriteArrayList<>();
        List<CompletableFuture<?>> waited = new ArrayList<>();
        Duration bound = rounds.deadline();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        for (HostSet.Member m : hosts.members()) {
            if (m.index() == 0) continue;
            Duration wait = m.backend().listingWait(); // before asking: the ask may take a first table's wait
            boolean waitFor = !m.backend().late() || m.backend().firstTableDue();
            Asked own = ask(m, since);
            asked.add(own);
            // a tree node's reply names the hosts below it: they are listed from it once it came (one reply per node)
            CompletableFuture<Void> withBelow = own.entries.handle((e, error) -> null).thenCompose(came -> {
                List<CompletableFuture<?>> below = new ArrayList<>();
                if (settled.isDone()) return CompletableFuture.completedFuture(null);
                for (HostSet.Member b : hosts.below(m.index())) {
                    Asked a = ask(b, since);
                    asked.add(a);
                    below.add(a.entries);
                }
                return CompletableFuture.allOf(below.toArray(CompletableFuture[]::new)).handle((done, error) -> null);
            });
            if (!waitFor) continue;
            waited.add(withBelow);
            if (wait.compareTo(bound) > 0) bound = wait;
        }
        return Round.settle(waited, bound.plus(SLACK)).thenApply(done -> {
            settled.complete(null);
            return served(asked);
        });
    }

    private Asked ask(HostSet.Member m, long since) {
        Backend host = m.backend();
        return new Asked(m, host.listRoot(since).thenApply(list -> clusterPids(m.index(), list, host::startTimeSeen)));
    }

    /** What the round lists: each host's processes that came, else its stale ones, else none; hosts below a node that did not answer too. */
    private List<ExportedTree.Entry> served(List<Asked> asked) {
        List<ExportedTree.Entry> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Asked a : asked) {
            seen.add(a.host.index());
            out.addAll(Round.came(a.entries) ? fresh(a) : answeredWithError(a) ? leftOut(a.host, why(a.entries)) : missed(a.host, why(a.entries)));
        }
        for (HostSet.Member m : hosts.members()) {
            if (m.index() == 0) continue;
            for (HostSet.Member b : hosts.below(m.index())) {
                if (seen.add(b.index())) out.addAll(missed(b, "its tree node " + m.backend().name() + " did not answer in time"));
            }
        }
        return out;
    }

    private List<ExportedTree.Entry> fresh(Asked a) {
        rounds.staleness().fresh(a.host.backend().name());
        return a.entries.join();
    }

    /** Whether the host answered, with an errno (no table, no listing): nothing to serve stale for it. */
    private static boolean answeredWithError(Asked a) {
        return a.entries.isCompletedExceptionally() && !Round.unanswered(a.entries.handle((e, error) -> error).join());
    }

    private static List<ExportedTree.Entry> leftOut(HostSet.Member m, String why) {
        m.backend().tableError("left out of a listing: " + why);
        return List.of();
    }

    /** A host whose processes did not come: its last table's, while within the staleness bound; else none, said. */
    private List<ExportedTree.Entry> missed(HostSet.Member m, String why) {
        Backend host = m.backend();
        long age = host.lastListingAgeNanos();
        List<ExportedTree.Entry> stale = rounds.staleness().servable(age) ? host.staleRoot(rounds.staleness().bound().toNanos()) : null;
        if (stale != null) {
            rounds.staleness().stale(host.name(), age, "processes");
            return clusterPids(m.index(), stale, host::startTimeSeen);
        }
        rounds.staleness().leftOut(host.name(), age, "processes");
        return leftOut(m, why);
    }

    private static String why(CompletableFuture<?> entries) {
        if (!entries.isDone()) return "not in by the listing's bound";
        try {
            entries.join();
            return "no answer";
        } catch (RuntimeException e) {
            return String.valueOf(ErrnoException.unwrapped(e).getMessage());
        }
    }

    /**
     * Entries named by pid, renamed to the cluster pids of host {@code index} ({@code startTimes}
     * gives each one's); other names, pids no host hands out, and pids the full map refuses are left out.
     */
    List<ExportedTree.Entry> clusterPids(int index, List<ExportedTree.Entry> entries, IntToLongFunction startTimes) {
        List<ExportedTree.Entry> out = new ArrayList<>(entries.size());
        for (ExportedTree.Entry e : entries) {
            if (!NodeKind.isPid(e.name()) || Long.parseLong(e.name()) >= PidMap.HOST_PID_LIMIT) continue;
            int pid = Integer.parseInt(e.name());
            int clusterPid = pids.clusterPid(index, pid, startTimes.applyAsLong(pid));
            if (clusterPid > 0) out.add(new ExportedTree.Entry(Integer.toString(clusterPid), e.attributes()));
        }
        return out;
    }
}
