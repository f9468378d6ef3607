package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.procsys.net.agent.ProcessTableBuilder;
import io.procsys.net.agent.TableSource;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;

import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A tree node's answer to the level above asking for its subtree (docs/scale.md): its own table,
 * built from its own /proc, and every peer's last reply (a table, or a bundle of the hosts below
 * that peer) under hosts/NAME, in one bundle. The peers are asked together and their bytes passed
 * on as they came, so the node does no per-host work but framing. One {@link Round} bounds the
 * reply: the deadline, or the longest table wait of a peer it waits for; a late peer is asked but
 * not waited for. A peer whose reply did not come in time is served from its last reply while that
 * is within --stale-ms, else it is a part with its errno and why (nested deadlines: it costs the
 * level above only that peer). A request for the table alone (an older client) is built from the
 * exported view as before. The node's own start times go up on its view's clock, as its files
 * through the mount and its combined uptime do (docs/aggregation.md, "btime and start times"):
 * the level above measures the node's boot from that uptime.
 */
final class SubtreeExport implements TableSource {
    private final ExportedTree own;
    private final Supplier<HostSet> view;
    private final Function<Backend, PeerTables> repliesOf;
    private final LongSupplier waits;
    private final Supplier<UnaryOperator<String>> ownStartTimes;
    private final Rounds rounds;

    /**
     * {@code waits}: how long the node may wait for its peers, told to the level above
     * (Cluster.waitsForBelowMillis); {@code ownStartTimes}: the rewrite of its own stats onto its
     * view's clock, null when none is needed (ClusterFs.localStartTimes); {@code rounds}: one
     * bound for the reply.
     */
    SubtreeExport(ExportedTree own, Supplier<HostSet> view, Function<Backend, PeerTables> repliesOf, LongSupplier waits,
                  Supplier<UnaryOperator<String>> ownStartTimes, Rounds rounds) {
        this.own = own;
        this.view = view;
        this.repliesOf = repliesOf;
        this.waits = waits;
        this.ownStartTimes = ownStartTimes;
        this.rounds = rounds;
    }

    /** One peer's reply as asked: its parts once they came, taken by the round or released if it came too late for it. */
    private static final class Asked {
        final String name;
        final PeerTables replies;
        final CompletableFuture<List<TableBundle.Part>> parts;
        /** 0 pending, 1 came and not yet taken, 2 given up by the round (its parts are released on arrival). */
        private final AtomicInteger state = new AtomicInteger();

        Asked(String name, PeerTables replies, CompletableFuture<List<TableBundle.Part>> parts) {
            this.name = name;
            this.replies = replies;
            this.parts = parts;
            parts.thenAccept(p -> {
                if (!state.compareAndSet(0, 1)) p.forEach(TableBundle.Part::release);
            });
        }

        /** The parts if they came in time (the caller owns them), else null: those that come later are released. */
        List<TableBundle.Part> takeOrGiveUp() {
            if (state.compareAndSet(0, 2)) return null;
            return Round.came(parts) ? parts.join() : null;
        }
    }

    @Override
    public long waitsMillis() {
        return waits.getAsLong();
    }

    @Override
    public CompletableFuture<ByteBuf> table(Message.Table request, ByteBufAllocator alloc) {
        HostSet hosts = view.get();
        if (!request.subtree() || !request.path().isEmpty() || hosts == null) return null;
        long since = System.nanoTime();
        List<Asked> asked = new ArrayList<>();
        List<CompletableFuture<?>> waited = new ArrayList<>();
        Duration bound = rounds.deadline();
        for (HostSet.Member m : hosts.members()) {
            PeerTables replies = m.index() == 0 ? null : repliesOf.apply(m.backend());
            if (replies == null) continue;
            Duration wait = m.backend().listingWait(); // before asking: the ask may take a first table's wait
            boolean waitFor = !m.backend().late() || m.backend().firstTableDue();
            Asked a = new Asked(m.backend().name(), replies, replies.all(request.threads(), request.parts(), since));
            asked.add(a);
            if (!waitFor) continue;
            waited.add(a.parts);
            if (wait.compareTo(bound) > 0) bound = wait;
        }
        int[] errno = new int[1];
        ByteBuf mine = new ProcessTableBuilder(own, request.threads(), request.parts(), ownStartTimes.get()).build(alloc, "", errno);
        TableBundle.Part self = mine != null ? TableBundle.Part.of("", mine) : TableBundle.Part.failed("", errno[0], "no table of the node's own /proc");
        return Round.settle(waited, bound).thenApply(done -> {
            List<TableBundle.Part> parts = new ArrayList<>();
            parts.add(self);
            for (Asked a : asked) {
                for (TableBundle.Part p : served(a)) {
                    if (parts.size() < TableBundle.MAX_PARTS) parts.add(p);
                    else p.release(); // past the bound of one reply: those hosts are not named, so the level above drops them
                }
            }
            return TableBundle.write(alloc, parts);
        });
    }

    /** A peer's parts, under hosts/NAME: its reply if it came in time, else its last one within --stale-ms, else a failed part. */
    private List<TableBundle.Part> served(Asked a) {
        List<TableBundle.Part> came = a.takeOrGiveUp();
        if (came != null) {
            rounds.staleness().fresh(a.name);
            return came.stream().map(p -> p.below(a.name)).toList();
        }
        long age = a.replies.lastAgeNanos();
        List<TableBundle.Part> last = rounds.staleness().servable(age) ? a.replies.lastIfFresh(rounds.staleness().bound().toNanos()) : null;
        if (last != null) {
            rounds.staleness().stale(a.name, age, "tables");
            return last.stream().map(p -> p.below(a.name)).toList();
        }
        rounds.staleness().leftOut(a.name, age, "tables");
        Throwable error = a.parts.isDone() ? a.parts.handle((p, e) -> e).join() : null;
        return List.of(failed(a.name, error != null ? error : new ErrnoException(Errno.ETIMEDOUT, "not in by the reply's bound")));
    }

    /** A peer whose reply did not come, as the level above sees it. */
    private static TableBundle.Part failed(String name, Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        int errno = e instanceof ErrnoException r ? r.errno() : Errno.EIO;
        String why = e instanceof ErrnoException r ? r.reason() : String.valueOf(e.getMessage());
        return TableBundle.Part.failed("hosts/" + name, errno == 0 ? Errno.EIO : errno, "no table from " + name + " at its tree node: " + why);
    }
}
