package io.procsys.daemon;

import io.netty.handler.ssl.SslContext;
import io.procsys.net.ReloadingTls;
import io.procsys.net.agent.Agent;
import io.procsys.net.agent.ActionRules;
import io.procsys.net.agent.SignalMode;
import io.procsys.net.agent.TableSource;
import io.procsys.net.agent.FileSource;
import io.procsys.net.agent.HistorySource;
import io.procsys.metrics.Metrics;
import io.procsys.net.agent.Warmup;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** An agent exporting one proc tree, as `agent` and `node` start it: failures become one-line user errors. */
public final class RunningAgent implements AutoCloseable {
    private final ProcTree tree;
    private final Agent agent;
    private final SslContext tls;
    /** This host's recording (--record), or null. */
    private volatile AgentRecording recording;
    /** Pushes the recording's blocks to another agent (--archive-to HOST:PORT), or null. */
    private volatile io.procsys.history.archive.ArchivePusher pusher;
    /** Keeps the blocks other agents push (--accept-archives), or null. */
    private volatile io.procsys.history.archive.ArchiveInbox inbox;

    private final String node;
    /** What is recorded (--record): the exported tree, or a tree node's own /proc ({@link #recordFrom}). */
    private volatile ProcTree recorded;
    /** The History sources, asked in this order: this host's recording, the hosts below a tree node, the archived hosts. */
    private volatile HistorySource ownPast, pastBelow, archivedPast;

    private RunningAgent(ProcTree tree, Agent agent, SslContext tls, String node) {
        this.node = node;
        this.tree = tree;
        this.agent = agent;
        this.tls = tls;
        this.recorded = tree;
    }

    /**
     * Starts exporting {@code root} on {@code address} ({@code listen} as the user wrote it, for
     * messages), its counters exported to {@code metrics} (docs/operating.md "Metrics").
     */
    public static RunningAgent start(Path root, InetSocketAddress address, String listen, String node, SslContext tls, Metrics metrics) {
        return start(root, address, listen, node, tls, metrics, SignalMode.OFF);
    }

    /** As above, acting on processes as {@code signals} allows (`--allow-signals`). */
    public static RunningAgent start(Path root, InetSocketAddress address, String listen, String node, SslContext tls, Metrics metrics,
                                     SignalMode signals) {
        return start(root, address, listen, node, tls, metrics, ActionRules.of(signals), null, null);
    }

    /** As above, acting as {@code rules} allow (`--allow-signals`, `--act-min-uid`). */
    public static RunningAgent start(Path root, InetSocketAddress address, String listen, String node, SslContext tls, Metrics metrics,
                                     ActionRules rules) {
        return start(root, address, listen, node, tls, metrics, rules, null, null);
    }

    /**
     * As above, answering process tables from {@code tables} and reads of some files from
     * {@code files} when they have them (a tree node's subtree and combined files; null: none).
     */
    public static RunningAgent start(Path root, InetSocketAddress address, String listen, String node, SslContext tls, Metrics metrics,
                                     SignalMode signals, TableSource tables, FileSource files) {
        return start(root, address, listen, node, tls, metrics, ActionRules.of(signals), tables, files);
    }

    /** As above, acting as {@code rules} allow. */
    public static RunningAgent start(Path root, InetSocketAddress address, String listen, String node, SslContext tls, Metrics metrics,
                                     ActionRules rules, TableSource tables, FileSource files) {
        ProcTree tree;
        try {
            tree = ProcTree.open(root);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        try {
            Agent agent = Agent.start(address, node, new ExportedTree(tree), tls, null, rules, tables, files);
            agent.stats().exportTo(metrics);
            return new RunningAgent(tree, agent, tls, node);
        } catch (Exception e) {
            tree.close();
            throw new UserError("cannot listen on " + listen + ": " + e.getMessage());
        }
    }

    /**
     * Serves scopes (docs/scope.md) from the cgroup filesystems at {@code cgroupRoot} and kubelet's
     * logs at {@code logRoot} instead of /sys/fs/cgroup and /var/log (an agent in a container, a
     * captured tree); null keeps the default. Call right after start.
     */
    public RunningAgent scopesFrom(Path cgroupRoot, Path logRoot) {
        if (cgroupRoot != null || logRoot != null) {
            agent.serveScopes(new ExportedTree(tree), cgroupRoot != null ? cgroupRoot : io.procsys.scope.ScopeSources.CGROUP_ROOT,
                    logRoot != null ? logRoot : io.procsys.scope.ScopeSources.LOG_ROOT);
        }
        return this;
    }

    /**
     * Warms the request path up in the background (a live /proc only: other trees may be slow to
     * read, and are not worth it): the agent answers at once, and the warm-up runs on threads
     * niced to 19, so on a busy host it takes only what nobody else wants (a restart under load,
     * 32 agents started together on one machine).
     */
    public void warmUpInBackground(SslContext clientTls, String node, int requests) {
        if (!tree.isLive()) return;
        InetSocketAddress self = agent.address().getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), agent.address().getPort()) : agent.address();
        Thread.ofPlatform().daemon().name("procsys-warmup").start(() -> Warmup.run(self, clientTls, node, requests, Warmup.LOWEST_PRIORITY));
    }

    /**
     * Records this host into {@code root}/NODE (and copies each closed block to {@code archive}/NODE,
     * unless null), and answers History requests from {@code root}: this host's and any other
     * recorded there. Stopped with the agent. Returns the recorder (for its other settings).
     */
    public io.procsys.history.Recorder record(Path root, io.procsys.history.Recorder.Settings settings, Path archive) {
        recording = AgentRecording.start(recorded, node, root, settings, archive);
        ownPast = new io.procsys.history.RecordedHistory(root, node);
        serveHistory();
        return recording.recorder();
    }

    /**
     * Pushes each closed block of the recording (start {@link #record} first) to the agent at
     * {@code to}, with the client certificate of {@code clientTls}, which names this host there.
     */
    public void pushArchiveTo(InetSocketAddress to, SslContext clientTls) {
        Path dir = recording.recorder().directory();
        pusher = new io.procsys.history.archive.ArchivePusher(new io.procsys.history.StoreReader(dir), to, clientTls, node)
                .start(recording.recorder().settings().block());
        System.getLogger("io.procsys.history").log(System.Logger.Level.INFO, "archive: pushing the blocks of " + dir + " to " + to);
    }

    /** Keeps the blocks other agents push under {@code dir}/NAME, NAME their certificate's (docs/history.md). */
    public void acceptArchives(Path dir) {
        inbox = new io.procsys.history.archive.ArchiveInbox(dir, System::currentTimeMillis);
        agent.acceptArchives(inbox);
        archivedPast = new io.procsys.history.RecordedHistory(dir, null);
        serveHistory();
    }

    /** Records {@code own} instead of the exported tree (a tree node exports its mount, and records its own /proc). Call before {@link #record}. */
    public RunningAgent recordFrom(ProcTree own) {
        recorded = own;
        return this;
    }

    /** Answers History for the hosts below a tree node from {@code below} (after this host's recording, before the archived hosts). */
    public RunningAgent forwardHistory(HistorySource below) {
        pastBelow = below;
        serveHistory();
        return this;
    }

    /** The agent's History answers: its sources in order, each host asked of the next when one fails (its own agent first, then its archive). */
    private synchronized void serveHistory() {
        HistorySource chained = null;
        for (HistorySource s : new HistorySource[]{ownPast, pastBelow, archivedPast}) {
            if (s != null) chained = chained == null ? s : chained.orElse(s);
        }
        agent.history(chained);
    }

    public InetSocketAddress address() {
        return agent.address();
    }

    /** Why every action is refused (the agent is not in --proc-root's pid namespace), or null. */
    public String actionsRefused() {
        return agent.actionsRefused();
    }

    /** The TLS files the agent serves with, re-read as they change (expiry, reloads); null without TLS. */
    public ReloadingTls credentials() {
        return ReloadingTls.of(tls);
    }

    @Override
    public void close() {
        if (pusher != null) pusher.close();
        if (recording != null) recording.close();
        agent.close();
        if (inbox != null) inbox.close();
        tree.close();
    }

    /**
     * Blocks until SIGINT, SIGTERM or SIGHUP (one that came while starting included: install
     * {@code signals} first), then closes {@code resources} in order; the caller then exits 0.
     */
    public static void serveUntilSignal(StopSignals signals, String what, AutoCloseable... resources) throws InterruptedException {
        signals.await();
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("procsys: closing " + what + ": " + e.getMessage());
            }
        }
    }
}
