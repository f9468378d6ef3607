package io.procsys.net.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.procsys.net.Certificates;
import io.procsys.net.PeerTrust;
import io.procsys.net.ReloadingTls;
import io.procsys.net.TlsSessions;
import io.procsys.net.Transport;
import io.procsys.net.protocol.Framing;
import io.procsys.tree.ExportedTree;

import io.procsys.scope.ScopeSources;
import io.procsys.scope.ScopedHost;
import io.procsys.scope.Scopes;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.WeakHashMap;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.function.Function;

/**
 * Exports one proc tree, read-only, to clients over the procsys protocol. Pipeline per
 * connection: [TLS] → handshake timeout → framing (requests ≤ 16 KiB) → codec → hello → requests.
 * Reads of a live procfs or a local capture run on the I/O thread (they do not wait); a tree
 * that may wait (a FUSE mount, a network filesystem), and process tables, run on a separate file
 * thread so a slow read never stalls I/O.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.net.agent");
    /** How long a new connection has for its TLS handshake and hello, whatever it sends meanwhile. */
    public static final Duration HELLO_DEADLINE = Duration.ofSeconds(10);

    /**
     * The threads agents run on. An agent started without one owns its own set: one thread that
     * accepts and does the I/O (an agent answers a few clients with small files: a thread of its
     * own to accept them was one more stack and wake-up for nothing), and one for slow work. A
     * process hosting many agents, as the benchmark farm does, shares one set.
     */
    public record Threads(EventLoopGroup io, EventExecutorGroup fileWork) implements AutoCloseable {
        public static Threads create(int ioThreads, int fileThreads) {
            return new Threads(Transport.eventLoops(ioThreads), new DefaultEventExecutorGroup(fileThreads));
        }

        @Override
        public void close() {
            io.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            fileWork.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private final Threads threads;
    private final boolean ownsThreads;
    private final Channel server;
    private final AgentStats stats = new AgentStats();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SentBytes sentBytes = new SentBytes(stats);
    private final SharedTables tables;

    private final TableSource tableSource;
    private final FileSource fileSource;
    /** Where History requests are answered from (null: nothing recorded, ENODATA). */
    private volatile HistorySource history;
    /** Where blocks other agents push are kept (null: refused, EPERM). */
    private volatile ArchiveSink archives;
    /** The scopes this agent serves (docs/scope.md); null on a tree node, which refuses them. */
    private volatile Scopes scopes;
    /** The process tables of each scope, shared between the connections that see it. */
    private final Map<ScopedHost, SharedTables> scopedTables = java.util.Collections.synchronizedMap(new WeakHashMap<>());
    /** Why a client's chain is not to be trusted now, or null: the reloading files' check, or the dates for fixed ones. */
    private final Function<X509Certificate[], String> trust;
    /** The reloading TLS files, told to check the open connections again (null: fixed or none). */
    private final ReloadingTls reloading;
    private final Runnable checkOpen = this::closeUntrusted;

    private Agent(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, Threads shared, ActionRules rules,
                  TableSource tableSource, FileSource fileSource) throws InterruptedException {
        this.tableSource = tableSource;
        this.fileSource = fileSource;
        this.reloading = ReloadingTls.of(tls);
        this.trust = reloading != null ? reloading::problem : PeerTrust::datesOnly;
        this.ownsThreads = shared == null;
        this.threads = ownsThreads ? Threads.create(1, 1) : shared;
        this.tables = new SharedTables(System::nanoTime, threads.fileWork(), stats.tablesShared::increment);
        this.scopes = tableSource != null ? null : new Scopes(tree.tree().isLive() ? ScopeSources.open(tree, ScopeSources.CGROUP_ROOT, ScopeSources.LOG_ROOT)
                : ScopeSources.refused(tree, "the agent serves a captured proc tree and was given no cgroup root (agent --cgroup-root)"), threads.fileWork());
        // procfs, and a capture on a local disk (page cache), answer at once: their files are read
        // on the I/O thread, saving two thread hand-offs per request (a captured tree read on a
        // file thread answered combined reads 2.4x slower than /proc, p99 6x, at 32 agents). A
        // tree whose reads may wait (a procsys mount that waits on its own peers, a network
        // filesystem) is read on the file thread, as process tables always are.
        boolean inline = !tree.tree().mayWait();
        ServerBootstrap b = new ServerBootstrap()
                .group(threads.io())
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Pipeline(node, tree, tls, inline ? null : threads.fileWork(),
                        actions(rules, tree)));
        try {
            server = b.bind(listen).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            if (ownsThreads) threads.close();
            throw e;
        }
        if (reloading != null) reloading.onCheck(checkOpen);
    }

    /** Closes the connections whose client no longer validates (after the TLS files changed, and once a minute). */
    private void closeUntrusted() {
        for (Channel ch : connections) {
            X509Certificate[] chain = TlsSessions.peerChain(ch);
            String problem = chain.length == 0 ? null : trust.apply(chain);
            if (problem == null) continue;
            LOG.log(System.Logger.Level.WARNING, "closing the connection of " + Certificates.commonName(chain[0]) + ": " + problem);
            ch.close();
        }
    }

    /** Why this agent acts on nothing (null: it acts as its rules allow); said at start by the command. */
    private String actionsRefused;

    /** The actions of {@code tree}: none for a capture, none when this agent is not in the tree's pid namespace. */
    private Actions actions(ActionRules rules, ExportedTree tree) {
        if (!tree.tree().isLive()) return new Actions(rules, null, "this agent exports no live /proc");
        actionsRefused = PidNamespace.mismatch(tree.tree().root());
        return new Actions(rules, new LiveProcesses(tree.tree().root()), actionsRefused);
    }

    /** Why every action is refused (another pid namespace than --proc-root's), or null. */
    public String actionsRefused() {
        return actionsRefused;
    }

    /** One connection's pipeline, as the class comment lists it. */
    private final class Pipeline extends ChannelInitializer<SocketChannel> {
        private final String node;
        private final ExportedTree tree;
        private final SslContext tls;
        private final EventExecutorGroup fileWork;
        private final Actions actions;

        /** {@code fileWork}: where single files are read (null: on the I/O thread). */
        Pipeline(String node, ExportedTree tree, SslContext tls, EventExecutorGroup fileWork, Actions actions) {
            this.actions = actions;
            this.node = node;
            this.tree = tree;
            this.tls = tls;
            this.fileWork = fileWork;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            stats.connections.increment();
            connections.add(ch);
            ch.pipeline().addLast(SentBytes.NAME, sentBytes);
            ch.pipeline().addLast(HelloDeadline.NAME, new HelloDeadline(HELLO_DEADLINE.toMillis(), stats));
            if (tls != null) ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
            Framing.install(ch.pipeline(), Framing.MAX_REQUEST_FRAME);
            ch.pipeline().addLast("hello", new AgentHello(node, stats, tableSource == null ? () -> 0 : tableSource::waitsMillis));
            ch.pipeline().addLast(ScopeHandler.NAME, new ScopeHandler(scopes, "a tree node (node --export combined) serves no scope", threads.fileWork(),
                    scope -> new RequestHandler(tree.showing(scope), stats, fileWork, threads.fileWork(), tablesOf(scope), null,
                            ScopeHandler.files(scope, threads.fileWork())), stats));
            ch.pipeline().addLast("requests", new RequestHandler(tree, stats, fileWork, threads.fileWork(), tables, tableSource, fileSource));
            ch.pipeline().addLast("actions", new ActionHandler(actions, threads.fileWork(), stats, trust));
            ch.pipeline().addLast("archives", new ArchiveHandler(() -> archives, threads.fileWork(), stats, trust));
            ch.pipeline().addLast("history", new HistoryHandler(() -> history, threads.fileWork(), stats));
        }
    }

    private SharedTables tablesOf(ScopedHost scope) {
        return scopedTables.computeIfAbsent(scope, s -> new SharedTables(System::nanoTime, threads.fileWork(), stats.tablesShared::increment));
    }

    /**
     * Serves scopes from the cgroup filesystems at {@code cgroupRoot} and kubelet's logs at
     * {@code logRoot} (an agent in a container mounts the host's elsewhere; tests give captured
     * ones), for connections made from now on. Not on a tree node.
     */
    public void serveScopes(ExportedTree tree, java.nio.file.Path cgroupRoot, java.nio.file.Path logRoot) {
        if (scopes == null) return;
        Scopes old = scopes;
        scopes = new Scopes(ScopeSources.open(tree, cgroupRoot, logRoot), threads.fileWork());
        old.close();
    }

    /** Binds and starts serving; throws with the OS's reason when the address cannot be bound. */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls) throws InterruptedException {
        return new Agent(listen, node, tree, tls, null, ActionRules.OFF, null, null);
    }

    /** As {@link #start(InetSocketAddress, String, ExportedTree, SslContext)}, acting on processes as {@code signals} allows. */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, SignalMode signals) throws InterruptedException {
        return new Agent(listen, node, tree, tls, null, ActionRules.of(signals), null, null);
    }

    /** As above, acting as {@code rules} allow (the lowest uid included). */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, ActionRules rules) throws InterruptedException {
        return new Agent(listen, node, tree, tls, null, rules, null, null);
    }

    /** As {@link #start(InetSocketAddress, String, ExportedTree, SslContext)}, on threads shared with other agents (not closed with this one). */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, Threads shared) throws InterruptedException {
        return new Agent(listen, node, tree, tls, java.util.Objects.requireNonNull(shared), ActionRules.OFF, null, null);
    }

    /**
     * As {@link #start(InetSocketAddress, String, ExportedTree, SslContext, SignalMode)}, on
     * {@code shared} threads (null: its own), answering process tables from {@code tables} (null:
     * built from the tree).
     */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, Threads shared, SignalMode signals,
                              TableSource tables) throws InterruptedException {
        return new Agent(listen, node, tree, tls, shared, ActionRules.of(signals), tables, null);
    }

    /** As above, answering reads of the files {@code files} has from it (a tree node's combined files; null: none). */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, Threads shared, SignalMode signals,
                              TableSource tables, FileSource files) throws InterruptedException {
        return start(listen, node, tree, tls, shared, ActionRules.of(signals), tables, files);
    }

    /** As above, acting as {@code rules} allow. */
    public static Agent start(InetSocketAddress listen, String node, ExportedTree tree, SslContext tls, Threads shared, ActionRules rules,
                              TableSource tables, FileSource files) throws InterruptedException {
        return new Agent(listen, node, tree, tls, shared, rules, tables, files);
    }

    /** Answers History requests from {@code source} from now on (null: none, ENODATA). */
    public Agent history(HistorySource source) {
        this.history = source;
        return this;
    }

    /** Keeps the recorded blocks other agents push in {@code sink} from now on (null: refuses them, EPERM). */
    public Agent acceptArchives(ArchiveSink sink) {
        this.archives = sink;
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public AgentStats stats() {
        return stats;
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (reloading != null) reloading.noLongerOnCheck(checkOpen);
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        if (scopes != null) scopes.close();
        if (ownsThreads) threads.close();
    }
}
