package io.procsys.fs.cluster;

import io.procsys.fs.combine.Aggregator;
import io.procsys.fs.combine.Aggregators;
import io.procsys.fs.combine.CombineResult;
import io.procsys.fs.combine.HostPart;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Top-level files whose cluster view combines every host's copy (see docs/aggregation.md): one
 * read of the file is sent to every host at once, and the copies that arrive by the deadline are
 * combined (one {@link Round}; a host that is late is asked but not waited for). A host whose copy
 * did not come is served from its last copy while that is within --stale-ms ({@link Contributions},
 * {@link Staleness}), else left out. Concurrent readers of one file share one fan-out
 * (coalescing), and with a reuse time, later readers share it too (a short TTL cache).
 */
final class CombinedFiles {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final HostSet hosts;
    private final long reuseNanos;
    private final Rounds rounds;
    private final Contributions copies;
    /** Puts stat's btime and uptime on the view's clock (null: as combined, for tests of the fan-out alone). */
    private final BootTimes clock;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    /** Reads that joined a fan-out in flight, reused a finished one within the reuse time, started one. */
    final LongAdder joined = new LongAdder(), reused = new LongAdder(), started = new LongAdder();

    /** One fan-out of a file, shared by the readers that arrive while it runs (and, with a TTL, for a while after). */
    private record Flight(CompletableFuture<String> text, long startedNanos) {}

    /**
     * {@code hosts}: the cluster's hosts now (index 0 is this host). {@code reuse}: how long a combined
     * file may be served again to later readers (0: only readers that arrive while it is being
     * fetched share it).
     */
    CombinedFiles(HostSet hosts, Duration reuse) {
        this(hosts, reuse, Rounds.DEFAULT, null);
    }

    /**
     * As above; {@code rounds}: how long a fan-out waits, and how old a missed host's copy may be
     * served; {@code clock}: stat's btime and uptime on its view's clock (null: as combined).
     */
    CombinedFiles(HostSet hosts, Duration reuse, Rounds rounds, BootTimes clock) {
        this.hosts = hosts;
        this.reuseNanos = reuse.toNanos();
        this.rounds = rounds;
        this.clock = clock;
        this.copies = new Contributions(rounds.staleness().bound().toNanos(), Contributions.MAX_BYTES, System::nanoTime);
    }

    static boolean isCombined(String path) {
        return Aggregators.forPath(path).isPresent();
    }

    /** The combined {@code path}: joins a fan-out under way (or still fresh) or starts one. */
    CompletableFuture<Backend.Content> read(String path) {
        return text(path).thenApply(Contents::of);
    }

    /** As {@link #read}, as text (for views made from combined files). */
    CompletableFuture<String> text(String path) {
        Optional<Aggregator> aggregator = Aggregators.forPath(path);
        if (aggregator.isEmpty()) return CompletableFuture.failedFuture(new ErrnoException(Errno.ENOENT, path + " is not combined"));
        long now = System.nanoTime();
        Flight flight = flights.compute(path, (p, old) -> {
            if (old != null && usable(old, now)) {
                (old.text().isDone() ? reused : joined).increment();
                return old;
            }
            started.increment();
            return new Flight(fanOut(p, aggregator.get()), now);
        });
        CompletableFuture<String> text = flight.text().copy(); // shared by every reader: none may complete it for the others
        return clock == null ? text : clock.onViewClock(path, text); // uptime counted at each read, from the view's boot
    }

    private boolean usable(Flight flight, long now) {
        if (!flight.text().isDone()) return true;
        return !flight.text().isCompletedExceptionally() && now - flight.startedNanos() < reuseNanos;
    }

    /** One host's answer in a fan-out: its copy, or none when it answered that it has no such file (an errno). */
    private record Copy(HostPart part) {}

    /** One host's copy as asked in a fan-out: fails when the host did not answer (down, late). */
    private record Asked(HostSet.Member member, CompletableFuture<Copy> copy) {}

    /** Reads {@code path} on every host at once and combines the copies that arrive by the deadline (and the stale ones still servable). */
    private CompletableFuture<String> fanOut(String path, Aggregator aggregator) {
        List<Asked> asked = new ArrayList<>();
        List<CompletableFuture<Copy>> waited = new ArrayList<>();
        for (HostSet.Member m : hosts.members()) {
            Asked a = new Asked(m, copyOf(path, m));
            asked.add(a);
            if (!m.backend().late()) waited.add(a.copy);
        }
        return Round.settle(waited, rounds.deadline()).thenApply(settled -> {
            List<HostPart> arrived = new ArrayList<>();
            for (Asked a : asked) {
                HostPart part = servedCopy(path, a);
                if (part != null) arrived.add(part);
            }
            if (arrived.isEmpty()) throw new ErrnoException(Errno.EHOSTUNREACH, "no host answered for " + path);
            CombineResult result = aggregator.combineWithReport(arrived);
            for (CombineResult.Dropped d : result.dropped()) {
                LOG.log(System.Logger.Level.WARNING, path + ": left out host " + d.host() + ": " + d.reason());
            }
            for (String note : result.notes()) {
                LOG.log(System.Logger.Level.DEBUG, path + ": " + note); // choices that lost nothing (docs/aggregation.md)
            }
            return result.text();
        });
    }

    /** Host {@code m}'s copy of {@code path}, kept as its last one when it comes (even after the round); fails if it did not answer. */
    private CompletableFuture<Copy> copyOf(String path, HostSet.Member m) {
        Backend host = m.backend();
        long sentMillis = System.currentTimeMillis(), sent = System.nanoTime();
        return host.read(path).handle((content, error) -> {
            if (error != null) {
                if (Round.unanswered(error)) throw new CompletionException(error); // down or late: maybe served stale
                return new Copy(null); // it answered: no such file there (a captured tree without uptime)
            }
            HostPart part;
            try {
                part = new HostPart(host.name(), m.index(), Contents.text(content.bytes()));
            } finally {
                content.release();
            }
            // a host's uptime and btime, as they come, measure its boot with no request of their own
            if (clock != null) clock.observed(path, m.index(), host, sentMillis, sent, System.nanoTime() - sent, part.text());
            if (m.index() != 0) copies.arrived(path, m.index(), host, part);
            return new Copy(part);
        });
    }

    /** What the round serves of a host: its copy if it came, else its last one within the staleness bound, else nothing (said). */
    private HostPart servedCopy(String path, Asked a) {
        Backend host = a.member().backend();
        if (Round.came(a.copy) || a.member().index() == 0) {
            if (Round.came(a.copy)) rounds.staleness().fresh(host.name());
            return Round.came(a.copy) ? a.copy.join().part() : null;
        }
        Contributions.Copy last = copies.last(path, a.member().index(), host);
        long age = last == null ? -1 : System.nanoTime() - last.arrivedNanos();
        if (last != null && rounds.staleness().servable(age)) {
            rounds.staleness().stale(host.name(), age, path);
            return last.part();
        }
        rounds.staleness().leftOut(host.name(), age, path);
        return null;
    }
}
