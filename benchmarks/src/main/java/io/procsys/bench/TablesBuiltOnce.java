package io.procsys.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.procsys.net.agent.ProcessTableBuilder;
import io.procsys.net.agent.TableSource;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;

import java.util.concurrent.CompletableFuture;

/**
 * A simulated host's process table, built once from its tree and sent as is for every table
 * request of the root (the scale simulation, issue 20): a real host builds its table on its own
 * CPUs, in parallel with every other host, so a thousand simulated hosts building theirs on the
 * farm's two cores would measure the farm, not the mount. The table holds every part; a client
 * asking for fewer takes what it asked from it. Thread tables and other paths are built from the
 * tree, as an agent without a source does (top -H is not what the simulation measures).
 */
public final class TablesBuiltOnce implements TableSource {
    private final ByteBuf table;
    private final int processes;

    /** Builds the table of {@code tree}; throws if it cannot (a simulated host without a table would measure nothing). */
    public TablesBuiltOnce(ExportedTree tree) {
        int[] errno = new int[1];
        ByteBuf grown = new ProcessTableBuilder(tree, false).build(UnpooledByteBufAllocator.DEFAULT, "", errno);
        if (grown == null) throw new IllegalStateException("no table from " + tree.tree().root() + ": " + Errno.name(errno[0]));
        // the builder's buffer grows by doubling: a copy of the exact size keeps a thousand of them small
        ByteBuf built = Unpooled.directBuffer(grown.readableBytes()).writeBytes(grown);
        grown.release();
        ProcessTable read = ProcessTable.read(built.retainedDuplicate());
        try {
            if (read.truncated()) throw new IllegalStateException("table of " + tree.tree().root() + " truncated");
            processes = (int) read.root().stream().filter(e -> isPid(e.name()) && read.hasProcess(Integer.parseInt(e.name()))).count();
        } finally {
            read.release();
        }
        table = built;
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /** How many processes the table holds. */
    public int processes() {
        return processes;
    }

    /** The table's size in bytes. */
    public int bytes() {
        return table.readableBytes();
    }

    @Override
    public CompletableFuture<ByteBuf> table(Message.Table request, ByteBufAllocator alloc) {
        if (!request.path().isEmpty() || request.threads()) return null;
        return CompletableFuture.completedFuture(table.retainedDuplicate());
    }
}
