package io.procsys.fs.cluster;

import io.procsys.fs.clock.BootInstant;
import io.procsys.fs.clock.ClockStatus;
import io.procsys.fs.clock.HostClock;
import io.procsys.fs.clock.Rebase;
import io.procsys.fs.clock.ViewBoot;
import io.procsys.fs.pace.HostCpus;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Each host's boot instant measured in this host's clock, from its uptime and the middle of the
 * round trip ({@link BootInstant}, steadied by {@link HostClock}), and the view's boot they make
 * ({@link ViewBoot}): what every process's start time is rebased onto, and what the combined
 * btime and uptime count from (docs/aggregation.md, "btime and start times").
 * <p>
 * A host's boot is measured from every uptime it sends for the combined uptime (what ps, top,
 * vmstat, free and sysinfo read at each sample), and its skew from every stat it sends for the
 * combined stat: no request of its own. It is asked for them itself only when its start times are
 * needed and it has no boot yet, or none newer than {@link #REFRESH} (a host below a tree node,
 * whose uptime no fan-out reads), in the background then (the boot in use answers meanwhile, so a
 * host that stopped answering costs no reader a wait); and before its next use when its
 * connection came up again (a host that rebooted comes back on a new one). A host whose
 * measurement timed out is not asked again before {@link #REFRESH}.
 */
final class BootTimes {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    static final Duration REFRESH = Duration.ofSeconds(30);
    /** A host whose wall clock is this far from this host's is logged (once): its btime is wrong by that much here. */
    static final double SKEW_LOGGED_SECONDS = 5;
    /** A host whose boot moves again within this is not logged again (a captured tree's boot moves with every measurement). */
    private static final long MOVE_LOGGED_NANOS = Duration.ofMinutes(10).toNanos();

    private final HostSet hosts;
    private final LongSupplier wallMillis;
    private final LongSupplier nanos;
    private final Map<Integer, Host> byIndex = new ConcurrentHashMap<>();
    private final ViewBoot view = new ViewBoot();

    /** What is known of the host of one index. */
    private static final class Host {
        final HostClock clock = new HostClock();
        /** Guarded by this: the measurement under way, when the last one began and whether it timed out, the connection it was made on. */
        CompletableFuture<BootInstant> measuring;
        long triedNanos;
        boolean timedOut;
        long connection = -1;
        volatile boolean skewLogged;
        volatile long movedLoggedNanos = Long.MIN_VALUE;
        /** Its CPUs, from the last stat it sent (0: none yet): what its processes' CPU times are paced by. */
        volatile int cpus;
    }

    BootTimes(HostSet hosts) {
        this(hosts, System::currentTimeMillis, System::nanoTime);
    }

    BootTimes(HostSet hosts, LongSupplier wallMillis, LongSupplier nanos) {
        this.hosts = hosts;
        this.wallMillis = wallMillis;
        this.nanos = nanos;
    }

    /** Seconds to add to the start times of host {@code index}: its boot minus the view's (0 while either is unknown). */
    CompletableFuture<Long> shiftSeconds(int index) {
        return boot(index, true).thenApply(this::shiftOf);
    }

    /** This host's shift, now: its boot is read in the calling thread. */
    long localShiftSeconds() {
        return shiftSeconds(0).getNow(0L);
    }

    private long shiftOf(BootInstant boot) {
        long viewBoot = view.millis();
        return boot == null || viewBoot == ViewBoot.NONE ? 0 : Rebase.shiftSeconds(boot.bootMillis(), viewBoot);
    }

    /**
     * {@code combined}, the combined {@code path}, on the view's clock: stat's btime and uptime's
     * uptime made from the view's boot, once every host of the view has been measured (or could not be).
     */
    CompletableFuture<String> onViewClock(String path, CompletableFuture<String> combined) {
        boolean stat = path.equals("stat");
        if (!stat && !path.equals("uptime")) return combined;
        // after the fan-out, whose uptimes measured the hosts that sent one: only a host with no boot yet is asked
        return combined.thenCompose(text -> {
            List<CompletableFuture<BootInstant>> boots = new ArrayList<>();
            // (no refresh from here: a tool reads stat and uptime just before it lists, and a TCG
            // guest's table missed the deadline behind two requests more)
            for (HostSet.Member m : hosts.members()) boots.add(boot(m.index(), false));
            return CompletableFuture.allOf(boots.toArray(CompletableFuture[]::new)).thenApply(done -> {
                long viewBoot = recompute();
                if (viewBoot == ViewBoot.NONE) return text;
                return stat ? Rebase.btime(text, viewBoot) : Rebase.uptime(text, wallMillis.getAsLong(), viewBoot);
            });
        });
    }

    /**
     * The boot in use for host {@code index} (null: unknown), measured first when it has none that
     * can be used; with {@code refresh}, measured again in the background when it is older than {@link #REFRESH}.
     */
    private CompletableFuture<BootInstant> boot(int index, boolean refresh) {
        Backend backend = hosts.get(index);
        if (backend == null) return CompletableFuture.completedFuture(null);
        Host h = byIndex.computeIfAbsent(index, i -> new Host());
        BootInstant current = h.clock.current();
        long connection = backend.connections();
        synchronized (h) {
            boolean reconnected = current != null && connection != h.connection;
            boolean due = current == null || reconnected || refresh && nanos.getAsLong() - current.atNanos() > REFRESH.toNanos();
            boolean mayAsk = !h.timedOut || nanos.getAsLong() - h.triedNanos > REFRESH.toNanos();
            if (due && mayAsk && h.measuring == null) {
                CompletableFuture<BootInstant> measuring = measure(index, h, backend, connection);
                if (!measuring.isDone()) {
                    h.measuring = measuring;
                    measuring.whenComplete((b, e) -> {
                        synchronized (h) {
                            if (h.measuring == measuring) h.measuring = null;
                        }
                    });
                }
            }
            // a boot from before the host's connection came up again may be a boot before a reboot
            if (h.measuring != null && (current == null || reconnected)) return h.measuring;
        }
        return CompletableFuture.completedFuture(h.clock.current());
    }

    /**
     * Host {@code index}'s copy of {@code path} for a combined file, asked at {@code sentMillis}
     * ({@code sentNanos}) and answered {@code roundTripNanos} later: its uptime measures its boot,
     * its stat's btime its skew.
     */
    void observed(String path, int index, Backend backend, long sentMillis, long sentNanos, long roundTripNanos, String text) {
        if (path.equals("stat")) {
            long btime = BootInstant.btime(text);
            Host h = byIndex.computeIfAbsent(index, i -> new Host());
            cpusSeen(h, text);
            if (btime > 0 && h.clock.restated(btime)) skewSeen(h, backend.name(), h.clock.current());
            return;
        }
        if (!path.equals("uptime")) return;
        long uptime = BootInstant.uptimeHundredths(text);
        if (uptime < 0) return;
        Host h = byIndex.computeIfAbsent(index, i -> new Host());
        BootInstant before = h.clock.current();
        BootInstant m = BootInstant.fromUptime(sentMillis, sentNanos, roundTripNanos, uptime, 0);
        // the btime stated last still holds unless the boot moved (a reboot, a stepped clock): the next stat tells
        if (before != null && Math.abs(m.bootMillis() - before.bootMillis()) <= HostClock.MOVE_MILLIS + m.uncertaintyMillis()) {
            m = BootInstant.fromUptime(sentMillis, sentNanos, roundTripNanos, uptime, before.btime());
        }
        synchronized (h) {
            h.connection = backend.connections();
        }
        taken(index, h, backend.name(), m);
    }

    /** Reads the host's uptime (and its btime, for the skew), and takes the measurement. */
    private CompletableFuture<BootInstant> measure(int index, Host h, Backend backend, long connection) {
        long sentMillis = wallMillis.getAsLong();
        long sent = nanos.getAsLong();
        synchronized (h) {
            h.triedNanos = sent;
        }
        CompletableFuture<long[]> uptime = text(backend, "uptime")
                .thenApply(text -> new long[]{BootInstant.uptimeHundredths(text), nanos.getAsLong() - sent});
        CompletableFuture<Long> btime = text(backend, "stat").thenApply(text -> {
            cpusSeen(h, text);
            return BootInstant.btime(text);
        }).exceptionally(e -> 0L);
        return uptime.handle((answer, error) -> error).thenCombine(btime, (error, bt) -> {
            long[] answer = error == null ? uptime.join() : null;
            BootInstant m = answer != null && answer[0] >= 0 ? BootInstant.fromUptime(sentMillis, sent, answer[1], answer[0], bt)
                    : bt > 0 && withoutUptime(error) ? BootInstant.fromBtime(bt, wallMillis.getAsLong(), nanos.getAsLong()) : null;
            synchronized (h) {
                h.timedOut = error != null && errno(error) == Errno.ETIMEDOUT;
                if (m != null) h.connection = connection;
            }
            if (m != null) taken(index, h, backend.name(), m);
            return h.clock.current();
        });
    }

    /** Host {@code index}'s CPUs as its last stat said (0: unknown). */
    int cpus(int index) {
        Host h = byIndex.get(index);
        return h == null ? 0 : h.cpus;
    }

    private static void cpusSeen(Host h, String stat) {
        int cpus = HostCpus.of(stat);
        if (cpus > 0) h.cpus = cpus;
    }

    /** The host has no uptime to measure (a captured tree), or it does not parse: its btime is all there is. */
    private static boolean withoutUptime(Throwable error) {
        return error == null || errno(error) == Errno.ENOENT;
    }

    private static int errno(Throwable error) {
        return ErrnoException.unwrapped(error) instanceof ErrnoException r ? r.errno() : Errno.EIO;
    }

    /** The whole text of {@code path} of {@code backend}; a backend that throws fails the future instead. */
    private static CompletableFuture<String> text(Backend backend, String path) {
        try {
            return backend.read(path).thenApply(content -> {
                try {
                    return Contents.text(content.bytes());
                } finally {
                    content.release();
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void taken(int index, Host h, String name, BootInstant m) {
        BootInstant before = h.clock.current();
        HostClock.Change change = h.clock.offer(m);
        if (change != HostClock.Change.KEPT) recompute();
        if (change == HostClock.Change.MOVED && m.atNanos() - h.movedLoggedNanos > MOVE_LOGGED_NANOS) {
            h.movedLoggedNanos = m.atNanos();
            LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "%s: its boot moved by %+.1f s (it rebooted, or a clock was stepped)",
                    name, (m.bootMillis() - before.bootMillis()) / 1000.0));
        }
        skewSeen(h, name, h.clock.current());
    }

    /** Logs once a host whose wall clock is more than {@link #SKEW_LOGGED_SECONDS} off this host's. */
    private static void skewSeen(Host h, String name, BootInstant b) {
        double skew = b.skewSeconds();
        if (!Double.isNaN(skew) && Math.abs(skew) > SKEW_LOGGED_SECONDS && !h.skewLogged) {
            h.skewLogged = true;
            LOG.log(System.Logger.Level.WARNING, String.format(java.util.Locale.ROOT,
                    "%s: its wall clock is %.1f s %s this host's (its btime against its uptime measured here); its start times are shown in this host's clock",
                    name, Math.abs(skew), skew > 0 ? "ahead of" : "behind"));
        }
    }

    /** The view's boot over the hosts present now and measured. */
    private long recompute() {
        long earliest = ViewBoot.NONE;
        for (var e : byIndex.entrySet()) {
            BootInstant b = hosts.get(e.getKey()) == null ? null : e.getValue().clock.current();
            if (b != null && (earliest == ViewBoot.NONE || b.bootMillis() < earliest)) earliest = b.bootMillis();
        }
        return view.update(earliest);
    }

    /** Host index {@code index} goes to another host. */
    void forget(int index) {
        byIndex.remove(index);
    }

    /** The view's boot and each measured host's, in index order. */
    ClockStatus status() {
        List<ClockStatus.Host> out = new ArrayList<>();
        new java.util.TreeMap<>(byIndex).forEach((index, h) -> {
            Backend backend = hosts.get(index);
            BootInstant b = h.clock.current();
            if (backend != null && b != null) out.add(ClockStatus.host(backend.name(), b));
        });
        return ClockStatus.of(view.millis(), out);
    }
}
