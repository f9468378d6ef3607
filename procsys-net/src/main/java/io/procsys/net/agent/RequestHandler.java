package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportPolicy;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileBuffer;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Answers requests from the exported tree. Single-file requests run where {@code fileWork} says
 * (null: on the I/O thread, for a procfs that never blocks); process tables, which take a pass
 * over every process, always run on {@code tableWork} so other requests are not held up.
 */
final class RequestHandler extends SimpleChannelInboundHandler<Message.Request> {
    private final ExportedTree tree;
    private final AgentStats stats;

    private final EventExecutorGroup fileWork;
    private final EventExecutorGroup tableWork;
    private final SharedTables tables;
    /** Answer tables, and reads of some files, instead of the tree when they have them (null: none). */
    private final TableSource source;
    private final FileSource files;

    RequestHandler(ExportedTree tree, AgentStats stats, EventExecutorGroup fileWork, EventExecutorGroup tableWork, SharedTables tables,
                   TableSource source, FileSource files) {
        this.source = source;
        this.files = files;
        this.tree = tree;
        this.stats = stats;
        this.fileWork = fileWork;
        this.tableWork = tableWork;
        this.tables = tables;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message.Request request) {
        stats.requests.increment();
        int kind = AgentStats.kind(request);
        stats.requestsByKind[kind].increment();
        long arrivedNanos = System.nanoTime(); // a table built before this (by more than a few ms) is not shared with it
        EventExecutorGroup work = request instanceof Message.Table ? tableWork : fileWork;
        if (request instanceof Message.Table t && source != null) {
            work.execute(() -> {
                if (!fromSource(ctx, t.id(), kind, () -> source.table(t, ctx.alloc()))) answerCaught(ctx, kind, request, arrivedNanos);
            });
            return;
        }
        if (request instanceof Message.Read r && files != null && fromSource(ctx, r.id(), kind, () -> files.read(r.path(), ctx.alloc()))) return;
        if (work == null) answerCaught(ctx, kind, request, arrivedNanos);
        else work.execute(() -> answerCaught(ctx, kind, request, arrivedNanos));
    }

    /**
     * Asks a source for request {@code id}'s bytes: true when it takes the request (the reply goes
     * when its bytes come, or the client is told it failed), false when it has none for it.
     */
    private boolean fromSource(ChannelHandlerContext ctx, int id, int kind, Callable<CompletableFuture<ByteBuf>> ask) {
        CompletableFuture<ByteBuf> sourced;
        try {
            sourced = ask.call();
        } catch (Throwable e) {
            stats.failuresByKind[kind].increment();
            exceptionCaught(ctx, e);
            return true;
        }
        if (sourced == null) return false;
        replyLater(ctx, id, kind, sourced);
        return true;
    }

    /** Answers from the tree now; a failure (out of direct memory included) closes the connection, the client told at once. */
    private void answerCaught(ChannelHandlerContext ctx, int kind, Message.Request request, long arrivedNanos) {
        Message reply;
        try {
            reply = answer(ctx, request, arrivedNanos);
        } catch (Throwable e) {
            stats.failuresByKind[kind].increment();
            exceptionCaught(ctx, e);
            return;
        }
        ctx.writeAndFlush(counted(kind, reply));
    }

    /** Answers request {@code id} with the bytes once they come, or with the errno they fail with. */
    private void replyLater(ChannelHandlerContext ctx, int id, int kind, CompletableFuture<ByteBuf> sourced) {
        sourced.whenComplete((bytes, error) -> {
            if (error == null) {
                ctx.writeAndFlush(new Message.Data(id, bytes));
                return;
            }
            Throwable e = ErrnoException.unwrapped(error);
            ctx.writeAndFlush(counted(kind, new Message.Error(id, e instanceof ErrnoException r ? r.errno() : Errno.EIO)));
        });
    }

    /** {@code reply}, an error reply counted as a failure of its request's kind. */
    private Message counted(int kind, Message reply) {
        if (reply instanceof Message.Error) stats.failuresByKind[kind].increment();
        return reply;
    }

    private Message answer(ChannelHandlerContext ctx, Message.Request request, long arrivedNanos) {
        return switch (request) {
            case Message.Stat s -> reply(s, tree.attributes(s.path()), Message.Attributes::new);
            case Message.ListDirectory l -> reply(l, tree.entries(l.path()), Message.Listing::new);
            case Message.Readlink r -> reply(r, tree.linkText(r.path()), Message.LinkText::new);
            case Message.Read r -> read(ctx, r);
            case Message.Table t -> table(ctx, t, arrivedNanos);
        };
    }

    private static <T> Message reply(Message.Request request, ExportedTree.Answer<T> answer, BiFunction<Integer, T, Message> message) {
        return answer.ok() ? message.apply(request.id(), answer.value()) : new Message.Error(request.id(), answer.errno());
    }

    /** The process table of the tree at the path, built in one pass (see {@link ProcessTableBuilder}), or shared with a request of the same moment. */
    private Message table(ChannelHandlerContext ctx, Message.Table t, long arrivedNanos) {
        SharedTables.Built built = tables.take(new SharedTables.Key(t.path(), t.threads(), t.parts()), arrivedNanos, () -> {
            int[] errno = new int[1];
            ByteBuf table = new ProcessTableBuilder(tree, t.threads(), t.parts()).build(ctx.alloc(), t.path(), errno);
            return new SharedTables.Built(table, errno[0]);
        });
        return built.table() == null ? new Message.Error(t.id(), built.errno()) : new Message.Data(t.id(), built.table());
    }

    /** Reads the whole file with read(2) straight into a direct buffer that goes to the socket as it is. */
    private Message read(ChannelHandlerContext ctx, Message.Read r) {
        ByteBuf buf = ctx.alloc().directBuffer(16 * 1024, ExportPolicy.MAX_FILE);
        int errno;
        try {
            errno = tree.readWhole(r.path(), new DirectFileBuffer(buf));
        } catch (Throwable e) { // out of direct memory while growing: the buffer is freed, the connection closed
            buf.release();
            throw e;
        }
        if (errno != 0) {
            buf.release();
            return new Message.Error(r.id(), errno);
        }
        return new Message.Data(r.id(), buf);
    }

    /** A Netty direct buffer as room for read(2), doubling up to its max capacity. */
    private record DirectFileBuffer(ByteBuf buf) implements FileBuffer {
        @Override
        public MemorySegment room() {
            if (buf.writableBytes() == 0) {
                if (buf.capacity() >= buf.maxCapacity()) return MemorySegment.ofArray(new byte[0]);
                buf.ensureWritable(Math.min(buf.capacity(), buf.maxCapacity() - buf.capacity()));
            }
            return MemorySegment.ofBuffer(buf.nioBuffer(buf.writerIndex(), buf.writableBytes()));
        }

        @Override
        public void advance(long n) {
            buf.writerIndex(buf.writerIndex() + (int) n);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
