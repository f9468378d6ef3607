package io.procsys.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A compromised agent (or tree node) speaking the real protocol (issue 36): Framing, MessageCodec,
 * TLS when given a context. While {@link #mode} is {@link Mode#HONEST} it forwards every request to
 * a real agent over a captured host and passes its answer back; in the other modes it lies, goes
 * silent, trickles, churns its pids, names thousands of hosts, or sends pid fields no host hands
 * out. It counts what it received, so a test can say how much a mount still asks of it.
 */
final class HostilePeer implements AutoCloseable {
    static final FileAttributes DIR = new FileAttributes(040555, 0, 0, 1, 0, 2, 0, 0, 0);
    static final FileAttributes FILE = new FileAttributes(0100444, 0, 0, 1, 0, 3, 0, 0, 0);

    enum Mode {
        /** Forwards to the real agent behind it. */
        HONEST,
        /** Answers the hello, then nothing at all, the connection kept open. */
        SILENT,
        /** Forwards everything but process tables, which it never answers (with a lying Welcome, the wait it announced). */
        SILENT_TABLES,
        /** Answers every request with a frame of 30 MiB announced, then one byte every 100 ms. */
        TRICKLE,
        /** Every table lists {@link #churnSize} processes with pids it never used before. */
        CHURN_PIDS,
        /** Every subtree reply names {@link #hostsPerReply} (4 095) hosts below it it never named before. */
        MANY_HOSTS,
        /** Tables are refused (the mount lists it file by file); every status names pid {@link #forgedPid} as its Tgid and PPid. */
        BIG_PIDS,
        /** Answers HistoryHosts with the bytes of {@link #listing} (a malformed or oversized list of hosts); forwards the rest. */
        BAD_LISTING
    }

    volatile Mode mode = Mode.HONEST;
    /** What its Welcome says it may wait for the hosts below it (0: nothing, as an honest leaf). */
    volatile long welcomeWaitMillis;
    volatile int churnSize = 1000;
    /** How many new hosts a {@link Mode#MANY_HOSTS} reply names. */
    volatile int hostsPerReply = TableBundle.MAX_PARTS - 1;
    /** Whether a {@link Mode#MANY_HOSTS} reply names new hosts (a flood) or the same ones each time (a node with hosts below it). */
    volatile boolean newHostsEachReply = true;
    volatile long forgedPid = 1L << 22;
    /** What a {@link Mode#BAD_LISTING} answer to HistoryHosts holds. */
    volatile byte[] listing = new byte[0];
    final AtomicLong requests = new AtomicLong();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedConnections = new AtomicInteger();
    private final AtomicInteger nextPid = new AtomicInteger(100);
    private final AtomicInteger nextHost = new AtomicInteger();
    private final String name;
    private final EventLoopGroup loops = Transport.eventLoops(1);
    private final Agent behind;
    private final AgentClient toBehind;
    private final Channel server;
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    /** Listens on loopback as node {@code name} (TLS with {@code tls}, plaintext with null), in front of a real agent over {@code tree}. */
    HostilePeer(String name, Path tree, SslContext tls) throws Exception {
        this.name = name;
        this.behind = Agent.start(new InetSocketAddress("127.0.0.1", 0), name, new ExportedTree(ProcTree.open(tree)), null);
        this.toBehind = AgentClient.connect(loops, behind.address(), null, name + "-front", Duration.ofSeconds(10)).join();
        this.server = new ServerBootstrap().group(loops).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        open.add(ch);
                        ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        Framing.install(ch.pipeline(), Framing.MAX_REQUEST_FRAME);
                        ch.pipeline().addLast(new Answers());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    String name() {
        return name;
    }

    /** The real agent behind it (a test gives it a recording to answer History from). */
    Agent behind() {
        return behind;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections open now. */
    int openConnections() {
        return connections.get() - closedConnections.get();
    }

    /** Answers as {@link #mode} says. */
    private final class Answers extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            if (msg instanceof Message.Hello) {
                ctx.writeAndFlush(new Message.Welcome(Message.PROTOCOL_VERSION, name, welcomeWaitMillis));
                return;
            }
            requests.incrementAndGet();
            Mode now = mode;
            switch (now) {
                case SILENT -> { }
                case TRICKLE -> trickle(ctx);
                case SILENT_TABLES -> {
                    if (!(msg instanceof Message.Table)) forward(ctx, msg);
                }
                case CHURN_PIDS -> {
                    if (msg instanceof Message.Table t) ctx.writeAndFlush(new Message.Data(t.id(), churnedTable()));
                    else forward(ctx, msg);
                }
                case MANY_HOSTS -> {
                    if (msg instanceof Message.Table t) ctx.writeAndFlush(new Message.Data(t.id(), manyHosts()));
                    else forward(ctx, msg);
                }
                case BIG_PIDS -> {
                    if (msg instanceof Message.Table t) ctx.writeAndFlush(new Message.Error(t.id(), Errno.EFBIG));
                    else if (msg instanceof Message.Read r && r.path().endsWith("/status")) ctx.writeAndFlush(forgedStatus(r));
                    else forward(ctx, msg);
                }
                case BAD_LISTING -> {
                    if (msg instanceof Message.HistoryHosts h) ctx.writeAndFlush(new Message.Data(h.id(), Unpooled.wrappedBuffer(listing)));
                    else forward(ctx, msg);
                }
                case HONEST -> forward(ctx, msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The request to the real agent, its answer back under the mount's id. */
    private void forward(ChannelHandlerContext ctx, Message msg) {
        int mine = msg.id();
        toBehind.request(id -> withId(msg, id), 10_000).whenComplete((reply, error) -> {
            if (error != null) {
                Throwable e = io.procsys.posix.ErrnoException.unwrapped(error);
                ctx.writeAndFlush(new Message.Error(mine, e instanceof io.procsys.posix.ErrnoException r ? r.errno() : Errno.EIO));
                return;
            }
            ctx.writeAndFlush(withId(reply, mine));
        });
    }

    private static Message withId(Message m, int id) {
        return switch (m) {
            case Message.Stat s -> new Message.Stat(id, s.path());
            case Message.ListDirectory l -> new Message.ListDirectory(id, l.path());
            case Message.Read r -> new Message.Read(id, r.path());
            case Message.Readlink r -> new Message.Readlink(id, r.path());
            case Message.Table t -> new Message.Table(id, t.path(), t.threads(), t.parts(), false);
            case Message.Signal a -> new Message.Signal(id, a.pid(), a.startTime(), a.signal(), a.user(), a.uid());
            case Message.SetPriority a -> new Message.SetPriority(id, a.pid(), a.startTime(), a.nice(), a.user(), a.uid());
            case Message.IoprioGet a -> new Message.IoprioGet(id, a.pid(), a.startTime());
            case Message.History h -> new Message.History(id, h.host(), h.fromMillis(), h.toMillis());
            case Message.Scope s -> new Message.Scope(id, s.specs());
            case Message.ArchiveWhere a -> new Message.ArchiveWhere(id);
            case Message.HistoryHosts h -> new Message.HistoryHosts(id);
            case Message.ArchivePart a -> new Message.ArchivePart(id, a.entry(), a.offset(), a.part());
            case Message.ScopeReply r -> new Message.ScopeReply(id, r.state());
            case Message.Done d -> new Message.Done(id, d.value());
            case Message.Attributes a -> new Message.Attributes(id, a.attributes());
            case Message.Listing l -> new Message.Listing(id, l.entries());
            case Message.Data d -> new Message.Data(id, d.bytes());
            case Message.LinkText t -> new Message.LinkText(id, t.text());
            case Message.Error e -> new Message.Error(id, e.errno());
            case Message.Hello h -> h;
            case Message.Welcome w -> w;
        };
    }

    /** A frame header promising 30 MiB, then a byte every 100 ms until the connection closes (under TLS, through it). */
    private void trickle(ChannelHandlerContext ctx) {
        ChannelHandlerContext below = ctx.pipeline().context("frame-prepender");
        below.writeAndFlush(Unpooled.buffer(4).writeInt(30 << 20));
        var drip = loops.scheduleAtFixedRate(() -> below.writeAndFlush(Unpooled.wrappedBuffer(new byte[]{7})), 100, 100, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> drip.cancel(false));
    }

    /** A table of {@link #churnSize} processes, none of whose pids any earlier table had (wrapping below 2^22). */
    ByteBuf churnedTable() {
        int n = churnSize;
        List<ExportedTree.Entry> root = new ArrayList<>(n);
        int[] pids = new int[n];
        for (int i = 0; i < n; i++) {
            int pid = nextPid.getAndIncrement() % (ProcessTableFormat.PID_LIMIT - 100) + 100;
            pids[i] = pid;
            root.add(new ExportedTree.Entry(Integer.toString(pid), DIR));
        }
        ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), ProcessTableFormat.MAX_BYTES, Set.of(), Set.of(), root);
        for (int pid : pids) {
            w.beginProcess(pid);
            w.attributes("", DIR);
            byte[] stat = (pid + " (churn) S 1 " + pid + " " + pid + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + pid + " 0 0\n").getBytes(StandardCharsets.US_ASCII);
            w.file("stat", FILE, MemorySegment.ofArray(stat));
            w.endProcess();
        }
        return w.finish();
    }

    /** A node's reply naming {@link #hostsPerReply} hosts below it, each never named before, each with a table of one process. */
    ByteBuf manyHosts() {
        List<TableBundle.Part> parts = new ArrayList<>();
        for (int i = 0; i < hostsPerReply; i++) {
            ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), ProcessTableFormat.MAX_BYTES, Set.of(), Set.of(),
                    List.of(new ExportedTree.Entry("7", DIR)));
            w.beginProcess(7);
            w.attributes("", DIR);
            w.endProcess();
            parts.add(TableBundle.Part.of("hosts/h" + (newHostsEachReply ? nextHost.getAndIncrement() : i), w.finish()));
        }
        ByteBuf composite = TableBundle.write(ByteBufAllocator.DEFAULT, parts);
        ByteBuf flat = Unpooled.directBuffer(composite.readableBytes()).writeBytes(composite);
        composite.release();
        return flat;
    }

    /** A process's status whose Tgid and PPid are {@link #forgedPid}: a pid no host hands out. */
    private Message forgedStatus(Message.Read r) {
        String pid = r.path().substring(0, r.path().indexOf('/'));
        String status = "Name:\tforged\nState:\tS (sleeping)\nTgid:\t" + forgedPid + "\nPid:\t" + pid + "\nPPid:\t" + forgedPid
                + "\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
        return new Message.Data(r.id(), Unpooled.directBuffer().writeBytes(status.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        open.close().awaitUninterruptibly();
        toBehind.close();
        behind.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
