package io.procsys.fs.history;

import io.procsys.history.Frame;
import io.procsys.history.Item;
import io.procsys.history.Task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The hosts of a view of the past and its clock: what every host was at the time shown
 * ({@link #snapshot}). Host i of the list has index i + 1 (no host is this one: every recorded
 * process gets a cluster pid, so none can be taken for a live local one). The view's clock follows
 * the rule of the live view (docs/aggregation.md): its btime is the earliest boot among the hosts
 * present, its uptime the time shown minus that, and every process is rebased onto it.
 */
public final class PastView {
    /** A host of the view and where its past comes from. */
    public record Host(String name, PastSource source) {}

    /** A host present at the time shown: its frames around it, and its boot time then (on this host's clock). */
    record HostAt(int index, String name, HostPast.Moment moment, long btime) {
        Frame frame() {
            return moment.before();
        }

        /** Where the time shown is between the frame before (0) and the one after (1). */
        double fraction() {
            Frame b = moment.before(), a = moment.after();
            if (a == null || a.timeMillis() <= b.timeMillis()) return 0;
            return Math.min(1, Math.max(0, (moment.timeMillis() - b.timeMillis()) / (double) (a.timeMillis() - b.timeMillis())));
        }

        /** The system file {@code path} of the frame after, or null. */
        Item fileAfter(String path) {
            return moment.after() == null ? null : moment.after().file(path);
        }

        /** Item {@code name} of {@code task} in the frame after, when the same task is there, or null. */
        Item itemAfter(Task task, String name) {
            Task later = moment.after() == null ? null : moment.after().task(task.id());
            return task.sameTask(later) ? later.item(name) : null;
        }
    }

    /** Every host at one time: those present, and one line for each that is absent. */
    record Snapshot(long tv, List<HostAt> present, List<String> absent, long viewBtime) {
        HostAt host(String name) {
            for (HostAt h : present) if (h.name().equals(name)) return h;
            return null;
        }

        HostAt host(int index) {
            for (HostAt h : present) if (h.index() == index) return h;
            return null;
        }
    }

    private final List<HostPast> hosts = new ArrayList<>();
    /** The cluster pids of the view's processes (the mount's, and procsys which's). */
    private final io.procsys.fs.identity.PidMap pids = new io.procsys.fs.identity.PidMap();
    private final PastClock clock;
    /** The view's boot, with the live view's hysteresis: a host leaving for a moment does not move the btime tools keep. */
    private final io.procsys.fs.clock.ViewBoot viewBoot = new io.procsys.fs.clock.ViewBoot();

    public PastView(List<Host> hosts, PastClock clock, Executor work) {
        this.clock = clock;
        for (Host h : hosts) this.hosts.add(new HostPast(h.name(), h.source(), work, System::nanoTime));
    }

    /** Lines status adds after the hosts' (PastHosts.notes: what the peers' listings brought). */
    private volatile List<String> notes = List.of();

    public PastView notes(List<String> lines) {
        notes = List.copyOf(lines);
        return this;
    }

    public PastClock clock() {
        return clock;
    }

    /** Fetches every host's frames around the time shown, waiting at most {@code wait} for them. */
    public void load(Duration wait) {
        long tv = clock.nowMillis();
        CompletableFuture<?>[] loads = hosts.stream().map(h -> h.load(tv)).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(loads).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception late) {
            // a slow or silent source: its host shows up when its frames come
        }
    }

    Snapshot snapshot() {
        long tv = clock.nowMillis();
        List<HostAt> present = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        long earliest = 0;
        for (int i = 0; i < hosts.size(); i++) {
            HostPast h = hosts.get(i);
            HostPast.Moment m = h.at(tv);
            if (!m.present()) {
                absent.add(h.name());
                continue;
            }
            long btime = Rendering.btime(m.before().file("stat"));
            if (btime > 0) btime -= h.aheadMillis() / 1000; // its boot on this host's clock, as the live view measures it
            if (btime > 0 && (earliest == 0 || btime < earliest)) earliest = btime;
            present.add(new HostAt(i + 1, h.name(), m, btime));
        }
        long boot = viewBoot.update(earliest == 0 ? io.procsys.fs.clock.ViewBoot.NONE : earliest * 1000);
        return new Snapshot(tv, present, absent, boot == io.procsys.fs.clock.ViewBoot.NONE ? 0 : boot / 1000);
    }

    /** The time shown and each host's state, one line each (procsys status). */
    public List<String> status() {
        long tv = clock.nowMillis();
        List<String> lines = new ArrayList<>();
        lines.add("PAST " + Times.format(tv) + (clock.paused() ? " (paused)" : " (running at wall speed)"));
        for (HostPast h : hosts) lines.add("  " + h.name() + ": " + h.describe(tv));
        if (!notes.isEmpty()) lines.add("hosts listed by peers:");
        lines.addAll(notes);
        return lines;
    }

    io.procsys.fs.identity.PidMap pids() {
        return pids;
    }

    /** "HOST PID" of cluster pid {@code clusterPid} at the time shown (procsys which), or null when no process has it then. */
    public String which(long clusterPid) {
        if (clusterPid < io.procsys.fs.identity.PidMap.HOST_PID_LIMIT || clusterPid >= io.procsys.fs.identity.PidMap.CLUSTER_PID_LIMIT) return null;
        io.procsys.fs.identity.PidMap.Local local = pids.local(clusterPid);
        HostAt host = local == null ? null : snapshot().host(local.hostIndex());
        Task task = host == null ? null : host.frame().task(local.pid());
        if (task == null || task.startTime() != local.startTime()) return null; // ended by then, or its pid is another's
        return host.name() + " " + local.pid();
    }

    public List<String> hostNames() {
        return hosts.stream().map(HostPast::name).toList();
    }
}
