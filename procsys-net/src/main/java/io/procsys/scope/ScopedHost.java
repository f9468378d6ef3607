package io.procsys.scope;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportPolicy;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.WholeFile;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One scope on this host (docs/scope.md): its cgroups, found again at most every
 * {@link #RESOLVE_NANOS}; its processes, as a filter of the exported tree; and its files
 * (meminfo, swaps, cpuinfo, stat, uptime, loadavg, diskstats) rendered from the host's own and
 * the cgroups' at each read. A scope that is absent, ambiguous or unreadable here renders
 * nothing: its files answer an errno, never the host's figures. Shared by every connection that
 * asks for the same specs, so its CPU clock and load averages are one series. Thread-safe.
 */
public final class ScopedHost implements ExportedTree.ProcessFilter {
    /** The files a scope renders; every other file is the host's. */
    public static final List<String> FILES = List.of("meminfo", "swaps", "cpuinfo", "stat", "uptime", "loadavg", "diskstats");
    static final long RESOLVE_NANOS = 1_000_000_000L;
    /** How old the members a single lookup is checked against may be (a listing always reads them afresh). */
    static final long MEMBERS_NANOS = 500_000_000L;
    /** Most threads whose state one count reads. */
    static final int MAX_THREADS = 100_000;

    private final List<ScopeSpec> specs;
    private final ScopeSources sources;
    private final LongSupplier nanoClock;
    private final CpuClock cpuClock = new CpuClock();
    private final LoadAverage load = new LoadAverage();
    private volatile Resolved resolved;
    private volatile Taken members = new Taken(Members.NONE, Long.MIN_VALUE / 2);
    private volatile long lastUseNanos;

    /** A resolution and its hierarchies, with when it was made. */
    private record Resolved(Hierarchies hierarchies, ScopeResolver.Resolution resolution, long atNanos) {}

    private record Taken(Members members, long atNanos) {}

    ScopedHost(List<ScopeSpec> specs, ScopeSources sources, LongSupplier nanoClock) {
        this.specs = List.copyOf(specs);
        this.sources = sources;
        this.nanoClock = nanoClock;
        this.lastUseNanos = nanoClock.getAsLong();
    }

    public List<ScopeSpec> specs() {
        return specs;
    }

    /** When this scope was last asked for anything (its load sampling stops after a long idle time). */
    long lastUseNanos() {
        return lastUseNanos;
    }

    private Resolved resolved() {
        long now = nanoClock.getAsLong();
        lastUseNanos = now;
        Resolved r = resolved;
        if (r != null && now - r.atNanos() < RESOLVE_NANOS) return r;
        synchronized (this) {
            r = resolved;
            if (r != null && now - r.atNanos() < RESOLVE_NANOS) return r;
            r = resolveNow(now);
            resolved = r;
            return r;
        }
    }

    private Resolved resolveNow(long now) {
        String refused = sources.refusal();
        if (refused != null) {
            return new Resolved(null, new ScopeResolver.Resolution(ScopeState.Outcome.UNREADABLE, List.of(), refused), now);
        }
        Hierarchies h = Hierarchies.detect(sources.cgroups());
        return new Resolved(h, new ScopeResolver(sources.cgroups(), h, sources.podLogs()).resolve(specs), now);
    }

    /** The scope's members: read now ({@code fresh}), or those read within {@link #MEMBERS_NANOS}. */
    private Members members(Resolved r, boolean fresh) {
        Taken t = members;
        long now = nanoClock.getAsLong();
        if (!fresh && now - t.atNanos() < MEMBERS_NANOS) return t.members();
        Members m = r.resolution().outcome() == ScopeState.Outcome.PRESENT
                ? Members.of(sources.cgroups(), r.hierarchies(), r.resolution().targets()) : Members.NONE;
        members = new Taken(m, now);
        return m;
    }

    /** Whether the scope is on this host now (its cgroups found: the host is in the view). */
    public boolean present() {
        return resolved().resolution().outcome() == ScopeState.Outcome.PRESENT;
    }

    /** What `procsys status` shows for this host: found or not, where, how many processes, and which files it cannot give. */
    public ScopeState state() {
        Resolved r = resolved();
        String layout = r.hierarchies() == null ? "" : r.hierarchies().layout();
        ScopeResolver.Resolution res = r.resolution();
        if (res.outcome() != ScopeState.Outcome.PRESENT) return ScopeState.leftOut(res.outcome(), layout, res.detail());
        Members m = members(r, true);
        List<String> notes = new ArrayList<>();
        if (!res.detail().isEmpty()) notes.add(res.detail());
        for (ScopeResolver.Target t : res.targets()) {
            for (String u : reader(r).read(t, m).unknown()) notes.add(t.path() + " " + u + " (" + consequence(u) + ")");
        }
        return new ScopeState(ScopeState.Outcome.PRESENT, layout, res.targets().stream().map(Object::toString).toList(), m.pids().length,
                String.join("; ", notes));
    }

    /** What a cgroup file that cannot be read does to this host's scoped files. */
    private static String consequence(String unknown) {
        if (unknown.startsWith("memory:")) return "meminfo, swaps left out";
        if (unknown.startsWith("cpu:")) return "stat, uptime left out";
        return "diskstats shows no disk";
    }

    private CgroupReader reader(Resolved r) {
        return new CgroupReader(sources.cgroups(), r.hierarchies(), pid -> sources.text(pid + "/cgroup"));
    }

    @Override
    public java.util.function.IntPredicate listed() {
        Resolved r = resolved();
        return members(r, true)::hasProcess;
    }

    /** A member (in the members read lately), or a process or thread whose own cgroup line puts it in the scope now. */
    @Override
    public boolean visible(int pid) {
        Resolved r = resolved();
        if (r.resolution().outcome() != ScopeState.Outcome.PRESENT) return false;
        if (members(r, false).has(pid)) return true;
        String own = sources.text(pid + "/cgroup");
        if (own == null) return false;
        for (ScopeResolver.Target t : r.resolution().targets()) {
            String path = CgroupLines.pathIn(own, t.hierarchy());
            if (path != null && CgroupLines.within(path, t.path())) return true;
        }
        return false;
    }

    /** Whether this scope renders {@code path} (one of {@link #FILES}). */
    public static boolean renders(String path) {
        return FILES.contains(path);
    }

    /** The scope's {@code file} now; ErrnoException when this host cannot give it (ENOENT: the scope is not here). */
    public String render(String file) {
        Resolved r = resolved();
        ScopeResolver.Resolution res = r.resolution();
        if (res.outcome() != ScopeState.Outcome.PRESENT) throw new ErrnoException(Errno.ENOENT, "scope " + res.outcome().label() + ": " + res.detail());
        Members m = members(r, false);
        List<CgroupReadings> readings = res.targets().stream().map(t -> reader(r).read(t, m)).toList();
        return ScopedFiles.render(file, this::host, readings, cpuClock, () -> threads(m), () -> loads(m));
    }

    /** The load averages, seeded by a count now when no sample was taken yet. */
    private double[] loads(Members m) {
        double[] loads = load.loads();
        if (loads != null) return loads;
        ScopedCpus.Threads t = threads(m);
        load.sample(t.running() + t.blocked());
        return load.loads();
    }

    /** One load sample (every {@link LoadAverage#INTERVAL_SECONDS}, by {@link Scopes}). */
    void sample() {
        Resolved r = resolved;
        if (r == null || r.resolution().outcome() != ScopeState.Outcome.PRESENT) return;
        ScopedCpus.Threads t = threads(members(r, true));
        load.sample(t.running() + t.blocked());
    }

    /** The states of the members' threads now (their stat files, read as the proc tree has them). */
    private ScopedCpus.Threads threads(Members m) {
        int[] ids = m.tids().length > 0 ? m.tids() : m.pids();
        int running = 0, blocked = 0, last = 0;
        for (int i = 0; i < ids.length && i < MAX_THREADS; i++) {
            String stat = sources.text(ids[i] + "/stat");
            int close = stat == null ? -1 : stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) continue;
            char state = stat.charAt(close + 2);
            if (state == 'R') running++;
            else if (state == 'D') blocked++;
            last = Math.max(last, ids[i]);
        }
        return new ScopedCpus.Threads(running, blocked, Math.min(ids.length, MAX_THREADS), last);
    }

    /** A file of the host's /proc, whole; ErrnoException when it cannot be read. */
    private String host(String file) {
        String text = sources.text(file);
        if (text == null) throw new ErrnoException(Errno.ENODATA, "cannot read the host's " + file);
        return text;
    }

    /** Reads a file of a proc tree whole, as text (null when it cannot be read). */
    static String readText(ExportedTree tree, String path) {
        WholeFile.Buffer buffer = new WholeFile.Buffer(ExportPolicy.MAX_FILE);
        try {
            if (tree.readWhole(path, buffer) != 0) return null;
            return new String(buffer.written().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        } finally {
            buffer.free();
        }
    }
}
