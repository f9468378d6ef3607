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
import io.netty.channel.socket.SocketChannel;
import io.procsys.daemon.MountService;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.Peer;
import io.procsys.net.Transport;
import io.procsys.net.agent.Agent;
import io.procsys.net.protocol.Framing;
import io.procsys.net.protocol.Message;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.net.protocol.ProcessTableWriter;
import io.procsys.net.protocol.TableBundle;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.ProcTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that answers every process-table request with a hostile table (malformed, oversized,
 * duplicate pids, names with "/" or "..") or a hostile tree node's reply (a cycle of parents,
 * duplicate pids, a host claiming 10^7 processes, an escaping path, 65535 hosts): each is refused
 * or bounded, the daemon stays up with no failed upcall, and the good host beside it is served as usual.
 */
class HostileTableIT {
    static final FileAttributes DIR = new FileAttributes(040555, 0, 0, 1, 0, 2, 0, 0, 0);
    static final AtomicInteger tablesSent = new AtomicInteger();
    static EventLoopGroup loops;
    static Channel evil;
    static Agent good;
    static Cluster cluster;
    static MountService service;
    static Path mount;

    /** The hostile tables, sent in turn. */
    static final List<Supplier<ByteBuf>> TABLES = List.of(
            () -> Unpooled.wrappedBuffer(new byte[]{1, 0, (byte) 0xff, (byte) 0xff, 0, 0}),              // 65535 names, none there
            () -> Unpooled.buffer(ProcessTableFormat.MAX_BYTES + 16).writeZero(ProcessTableFormat.MAX_BYTES + 16),   // past the bound
            () -> table(List.of(new ExportedTree.Entry("../../etc", DIR))),                                  // a name escaping
            () -> table(List.of(new ExportedTree.Entry("a/b", DIR))),                                        // a name with /
            () -> table(List.of(new ExportedTree.Entry("7", DIR), new ExportedTree.Entry("7", DIR))),        // duplicate pids: kept once
            () -> Unpooled.wrappedBuffer("HTTP/1.1 200 OK\r\n\r\n".getBytes()),                              // junk
            // a hostile rack node: a host whose processes are each other's parents, one with duplicate pids, one claiming 10^7 processes
            () -> bundle(TableBundle.Part.of("", table(List.of(new ExportedTree.Entry("7", DIR)))),
                    TableBundle.Part.of("hosts/cycle", parentsInACycle()),
                    TableBundle.Part.of("hosts/twice", table(List.of(new ExportedTree.Entry("7", DIR), new ExportedTree.Entry("7", DIR)))),
                    TableBundle.Part.of("hosts/huge", Unpooled.directBuffer().writeByte(1).writeByte(0).writeShort(0).writeShort(0).writeInt(10_000_000))),
            () -> bundle(TableBundle.Part.of("hosts/..", table(List.of(new ExportedTree.Entry("7", DIR))))),         // a path escaping
            () -> Unpooled.directBuffer().writeByte('B').writeByte(1).writeShort(65535));                     // 65535 hosts, none there

    /** A node's reply of {@code parts}, as one buffer. */
    static ByteBuf bundle(TableBundle.Part... parts) {
        ByteBuf composite = TableBundle.write(ByteBufAllocator.DEFAULT, List.of(parts));
        ByteBuf flat = Unpooled.directBuffer(composite.readableBytes()).writeBytes(composite);
        composite.release();
        return flat;
    }

    /** Processes 8 and 9, each the other's parent. */
    static ByteBuf parentsInACycle() {
        ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), ProcessTableFormat.MAX_BYTES, Set.of(), Set.of(),
                List.of(new ExportedTree.Entry("8", DIR), new ExportedTree.Entry("9", DIR)));
        for (int pid : new int[]{8, 9}) {
            w.beginProcess(pid);
            w.attributes("", DIR);
            byte[] stat = (pid + " (loop) S " + (17 - pid) + " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n").getBytes();
            w.file("stat", new FileAttributes(0100444, 0, 0, 1, 0, 3, 0, 0, 0), MemorySegment.ofArray(stat));
            w.endProcess();
        }
        return w.finish();
    }

    static ByteBuf table(List<ExportedTree.Entry> root) {
        ProcessTableWriter w = new ProcessTableWriter(Unpooled.directBuffer(), ProcessTableFormat.MAX_BYTES, Set.of("stat"), Set.of(), root);
        for (int copy = 0; copy < 2; copy++) {
            w.beginProcess(7);
            w.link("exe", DIR, "/bin/evil" + copy);
            w.endProcess();
        }
        return w.finish();
    }

    /** Speaks the protocol: hello, then a hostile table for every Table request and ENOENT for the rest. */
    static final class EvilAgent extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
            switch (msg) {
                case Message.Hello h -> ctx.writeAndFlush(new Message.Welcome(Message.PROTOCOL_VERSION, "evil"));
                case Message.Table t -> ctx.writeAndFlush(new Message.Data(t.id(), TABLES.get(tablesSent.getAndIncrement() % TABLES.size()).get()));
                default -> ctx.writeAndFlush(new Message.Error(msg.id(), Errno.ENOENT));
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        loops = Transport.eventLoops(1);
        evil = new ServerBootstrap().group(loops).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Framing.install(ch.pipeline(), Framing.MAX_REQUEST_FRAME);
                        ch.pipeline().addLast(new EvilAgent());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        good = Agent.start(new InetSocketAddress("127.0.0.1", 0), "good", new ExportedTree(ProcTree.open(ClusterMountIT.FIXTURE)), null);
        cluster = new Cluster("here", List.of(new Cluster.PeerAddress("evil", (InetSocketAddress) evil.localAddress()),
                new Cluster.PeerAddress("good", good.address())), null, Duration.ofMillis(1000));
        mount = Files.createTempDirectory("procsys-hostile-");
        service = MountService.mount(Path.of("/proc"), mount, List.of(), cluster);
        service.serveInBackground(4);
        ClusterMountIT.superviseExecs(service);
        for (Peer p : cluster.peers()) ClusterMountIT.waitFor(() -> p.status().state() == Peer.State.UP, 10_000, p.name() + " up");
    }

    @AfterAll
    static void stop() throws IOException {
        assertEquals(0, service.session().failures().total(), service.session().failures().byKind().toString());
        service.close();
        good.close();
        evil.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        Files.deleteIfExists(mount);
    }

    @Test
    void everyHostileTableLeavesTheMountServingTheGoodHost() throws Exception {
        long goodPid = ClusterPids.listed(cluster, mount, "good", 26231); // the captured host's process
        for (int round = 0; round < TABLES.size(); round++) {
            List<String> root;
            try (var s = Files.list(mount)) {
                root = s.map(p -> p.getFileName().toString()).toList();
            }
            assertTrue(root.contains(Long.toString(goodPid)), "round " + round + ": the good host's process is listed");
            assertTrue(root.stream().noneMatch(n -> n.contains("/") || n.equals("..")), root.toString());
            assertTrue(Files.readString(mount.resolve(goodPid + "/stat")).startsWith(goodPid + " ("));
            assertTrue(Files.readString(mount.resolve("hosts/good/meminfo")).startsWith("MemTotal:"));
            // the evil host's own directory answers (its fallback listing is ENOENT) without taking the mount down
            try (var s = Files.list(mount.resolve("hosts/evil"))) {
                s.count();
            } catch (IOException refused) {
                // refused: fine
            }
        }
        assertTrue(tablesSent.get() >= TABLES.size(), "every hostile table was sent: " + tablesSent.get());
        assertEquals(Peer.State.UP, cluster.peers().get(1).status().state());
    }

    /** ps and pstree over the mount, in a private mount namespace: both finish, whatever the hostile node sent. */
    @Test
    void toolsFinishOverACycleOfParentsFromAHostileNode() {
        boolean sawCycle = false;
        for (int round = 0; round < 2 * TABLES.size() && !sawCycle; round++) {
            Commands.Result ps = Commands.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind '" + mount + "' /proc && ps -eo pid=,ppid=,comm= && pstree -p > /dev/null"), 60);
            assertEquals(0, ps.exit(), ps.all());
            sawCycle = ps.out().lines().filter(l -> l.endsWith(" loop")).count() == 2;
        }
        assertTrue(sawCycle, "the node's host whose processes are each other's parents was listed: both of them");
    }
}
