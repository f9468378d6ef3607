package io.procsys.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.fs.history.AgentPast;
import io.procsys.fs.history.PastClock;
import io.procsys.fs.history.PastHosts;
import io.procsys.fs.history.PastView;
import io.procsys.fs.history.StorePast;
import io.procsys.metrics.Metrics;
import io.procsys.net.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A view of the cluster as it was, mounted (procsys mount --at; docs/history.md): its hosts'
 * pasts asked of their agents (each peer's own, then the hosts it lists: archived to it, or below a
 * tree node; PastHosts) or read from recordings on this host, the clock control beside it.
 */
public final class PastMount implements AutoCloseable {
    /** How long mounting waits for the hosts' first frames (a host that takes longer joins when they come). */
    static final Duration FIRST_LOAD = Duration.ofSeconds(10);

    /** A host of the view: its agent (or null), and a recording of it on this host (or null); one of them at least. */
    public record HostSource(String name, InetSocketAddress agent, Path recording) {}

    private final MountService service;
    private final PastView view;
    private final EventLoopGroup loops;
    private final ExecutorService work;
    private final List<AgentPast> agents;
    private PastControl control;

    private PastMount(MountService service, PastView view, EventLoopGroup loops, ExecutorService work, List<AgentPast> agents) {
        this.service = service;
        this.view = view;
        this.loops = loops;
        this.work = work;
        this.agents = agents;
    }

    /** Mounts the view at {@code atMillis} on {@code mountpoint}; {@code tls} and {@code localNode} dial the agents. */
    public static PastMount start(Path mountpoint, List<String> options, long atMillis, List<HostSource> hosts, SslContext tls, String localNode,
                                  Metrics metrics, io.procsys.fs.access.UserLimits limits) {
        if (hosts.isEmpty()) throw new UserError("no host to show: give --peer NAME=HOST:PORT (agents that --record) or --history DIR", 2);
        EventLoopGroup loops = Transport.eventLoops(1);
        ExecutorService work = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("past-", 0).factory());
        List<AgentPast> agents = new ArrayList<>();
        PastHosts sources = new PastHosts();
        Map<String, AgentPast> byPeer = new LinkedHashMap<>();
        for (HostSource h : hosts) {
            if (h.agent() == null) continue;
            AgentPast agent = new AgentPast("", h.agent(), tls, localNode, loops);
            agents.add(agent);
            byPeer.put(h.name(), agent);
            sources.add(h.name(), agent);
        }
        // each peer's listing (protocol 10): the hosts archived to it or below it, asked of it after their own agents
        Map<String, CompletableFuture<List<String>>> listings = new LinkedHashMap<>();
        byPeer.forEach((name, agent) -> listings.put(name, agent.hosts()));
        long deadline = System.nanoTime() + PastHosts.LISTING_WAIT.toNanos();
        listings.forEach((name, listing) -> sources.addListed(name, byPeer.get(name), listing, deadline));
        for (HostSource h : hosts) if (h.recording() != null) sources.add(h.name(), new StorePast(h.recording(), work));
        PastView view = new PastView(sources.hosts(), new PastClock(atMillis), work).notes(sources.notes());
        view.load(FIRST_LOAD);
        MountService service;
        try {
            service = MountService.mountPast(mountpoint, options, view, metrics, limits);
        } catch (UserError e) {
            stop(loops, work, agents);
            throw e;
        }
        PastMount mount = new PastMount(service, view, loops, work, agents);
        service.closeFirst(mount::closeResources);
        try {
            mount.control = PastControl.start(service.mountpoint(), view);
        } catch (IOException e) {
            System.err.println("procsys: no clock control (procsys seek, pause, which): " + e.getMessage());
        }
        return mount;
    }

    public MountService service() {
        return service;
    }

    public PastView view() {
        return view;
    }

    private void closeResources() {
        if (control != null) control.close();
        stop(loops, work, agents);
    }

    private static void stop(EventLoopGroup loops, ExecutorService work, List<AgentPast> agents) {
        agents.forEach(AgentPast::close);
        work.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        service.close();
    }
}
