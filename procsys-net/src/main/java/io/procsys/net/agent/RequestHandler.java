package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.procsys.fuse.Errno;
import io.procsys.fuse.Libc;
import io.procsys.fuse.Stat;
import io.procsys.net.protocol.Message;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Answers requests from the exported tree. Single-file requests run where {@code fileWork} says
 * (null: on the I/O thread, for a procfs that never blocks); process tables, which take a pass
 * over every process, always run on {@code tableWork} so other requests are not held up.
 */
final class RequestHandler extends SimpleChannelInboundHandler<Message.Request> {
    /** Largest file an agent sends whole. */
    static final int MAX_FILE = 16 * 1024 * 1024;

    private final ExportedTree tree;
    private final AgentStats stats;

    private final EventExecutorGroup fileWork;
    private final EventExecutorGroup tableWork;

    RequestHandler(ExportedTree tree, AgentStats stats, EventExecutorGroup fileWork, EventExecutorGroup tableWork) {
        this.tree = tree;
        this.stats = stats;
        this.fileWork = fileWork;
        this.tableWork = tableWork;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message.Request request) {
        stats.requests.increment();
        EventExecutorGroup work = request instanceof Message.Table ? tableWork : fileWork;
        if (work == null) {
            ctx.writeAndFlush(answer(ctx, request));
            return;
        }
        work.execute(() -> {
            Message reply;
            try {
                reply = answer(ctx, request);
            } catch (Throwable e) { // out of direct memory included: the connection is closed, the client told at once
                exceptionCaught(ctx, e);
                return;
            }
            ctx.writeAndFlush(reply);
        });
    }

    private Message answer(ChannelHandlerContext ctx, Message.Request request) {
        return switch (request) {
            case Message.Stat s -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment st = arena.allocate(Stat.SIZE, 8);
                    int rc = tree.stat(s.path(), st);
                    yield rc < 0 ? new Message.Error(s.id(), -rc) : new Message.Attributes(s.id(), FileAttributes.of(st));
                }
            }
            case Message.List_ l -> {
                ExportedTree.Listing listing = tree.list(l.path());
                yield listing.errno() != 0 && listing.entries().isEmpty()
                        ? new Message.Error(l.id(), listing.errno()) : new Message.Listing(l.id(), listing.entries());
            }
            case Message.Readlink r -> {
                ExportedTree.LinkText link = tree.readlink(r.path());
                yield link.text() == null ? new Message.Error(r.id(), link.errno()) : new Message.LinkText(r.id(), link.text());
            }
            case Message.Read r -> read(ctx, r);
            case Message.Table t -> table(ctx, t);
        };
    }

    /** The process table of the tree at the path, built in one pass (see {@link ProcessTableBuilder}). */
    private Message table(ChannelHandlerContext ctx, Message.Table t) {
        int[] errno = new int[1];
        ByteBuf table = new ProcessTableBuilder(tree, t.threads()).build(ctx.alloc(), t.path(), errno);
        return table == null ? new Message.Error(t.id(), errno[0]) : new Message.Data(t.id(), table);
    }

    /** Reads the whole file with read(2) straight into a direct buffer that goes to the socket as it is. */
    private Message read(ChannelHandlerContext ctx, Message.Read r) {
        int fd = tree.openForRead(r.path());
        if (fd < 0) return new Message.Error(r.id(), -fd);
        ByteBuf buf = ctx.alloc().directBuffer(16 * 1024, MAX_FILE);
        try {
            while (true) {
                if (buf.writableBytes() == 0) {
                    if (buf.capacity() >= MAX_FILE) {
                        buf.release();
                        return new Message.Error(r.id(), Errno.EFBIG);
                    }
                    buf.ensureWritable(Math.min(buf.capacity(), MAX_FILE - buf.capacity()));
                }
                MemorySegment target = MemorySegment.ofBuffer(buf.nioBuffer(buf.writerIndex(), buf.writableBytes()));
                long n = Libc.read(fd, target, target.byteSize());
                if (n < 0) {
                    buf.release();
                    return new Message.Error(r.id(), (int) -n);
                }
                if (n == 0) return new Message.Data(r.id(), buf);
                buf.writerIndex(buf.writerIndex() + (int) n);
            }
        } finally {
            Libc.close(fd);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Failures.closeOn(ctx, cause, stats);
    }
}
