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
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A tree node's answer to the level above asking for its subtree (docs/scale.md): its own table,
 * built from its own /proc, and every peer's last reply (a table, or a bundle of the hosts below
 * that peer) under hosts/NAME, in one bundle. The peers are asked together and their bytes passed
 * on as they came, so the node does no per-host work but framing; a peer late or down is a part
 * with its errno and why (nested deadlines: it costs the level above only that peer). A request
 * for the table alone (an older client) is built from the exported view as before. The node's own
 * start times go up on its view's clock, as its files through the mount and its combined uptime
 * do (docs/aggregation.md, "btime and start times"): the level above measures the node's boot
 * from that uptime.
 */
final class SubtreeExport implements TableSource {
    private final ExportedTree own;
    private final Supplier<HostSet> view;
    private final Function<Backend, PeerTables> repliesOf;
    private final LongSupplier waits;
    private final Supplier<UnaryOperator<String>> ownStartTimes;

    /**
     * {@code waits}: how long the node may wait for its peers, told to the level above
     * (Cluster.waitsForBelowMillis); {@code ownStartTimes}: the rewrite of its own stats onto its
     * view's clock, null when none is needed (ClusterFs.localStartTimes).
     */
    SubtreeExport(ExportedTree own, Supplier<HostSet> view, Function<Backend, PeerTables> repliesOf, LongSupplier waits,
                  Supplier<UnaryOperator<String>> ownStartTimes) {
        this.own = own;
        this.view = view;
        this.repliesOf = repliesOf;
        this.waits = waits;
        this.ownStartTimes = ownStartTimes;
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
        List<CompletableFuture<List<TableBundle.Part>>> below = new ArrayList<>();
        for (HostSet.Member m : hosts.members()) {
            PeerTables replies = m.index() == 0 ? null : repliesOf.apply(m.backend());
            if (replies == null) continue;
            String name = m.backend().name();
            below.add(replies.all(request.threads(), request.parts(), since).handle((parts, error) -> error == null
                    ? parts.stream().map(p -> p.below(name)).toList()
                    : List.of(failed(name, error))));
        }
        int[] errno = new int[1];
        ByteBuf mine = new ProcessTableBuilder(own, request.threads(), request.parts(), ownStartTimes.get()).build(alloc, "", errno);
        TableBundle.Part self = mine != null ? TableBundle.Part.of("", mine) : TableBundle.Part.failed("", errno[0], "no table of the node's own /proc");
        return CompletableFuture.allOf(below.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<TableBundle.Part> parts = new ArrayList<>();
            parts.add(self);
            for (var f : below) {
                for (TableBundle.Part p : f.join()) {
                    if (parts.size() < TableBundle.MAX_PARTS) parts.add(p);
                    else p.release(); // past the bound of one reply: those hosts are not named, so the level above drops them
                }
            }
            return TableBundle.write(alloc, parts);
        });
    }

    /** A peer whose reply did not come, as the level above sees it. */
    private static TableBundle.Part failed(String name, Throwable error) {
        Throwable e = ErrnoException.unwrapped(error);
        int errno = e instanceof ErrnoException r ? r.errno() : Errno.EIO;
        String why = e instanceof ErrnoException r ? r.reason() : String.valueOf(e.getMessage());
        return TableBundle.Part.failed("hosts/" + name, errno == 0 ? Errno.EIO : errno, "no table from " + name + " at its tree node: " + why);
    }
}
