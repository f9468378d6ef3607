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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Top-level files whose cluster view combines every host's copy (see docs/aggregation.md): one
 * read of the file is sent to every host at once, and the copies that arrive by the deadline are
 * combined; a host that is down or late is left out. Concurrent readers of one file share one
 * fan-out (coalescing), and with a reuse time, later readers share it too (a short TTL cache).
 */
final class CombinedFiles {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final HostSet hosts;
    private final long reuseNanos;
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
        this(hosts, reuse, null);
    }

    /** As above, stat's btime and uptime on the view's clock of {@code clock}. */
    CombinedFiles(HostSet hosts, Duration reuse, BootTimes clock) {
        this.hosts = hosts;
        this.reuseNanos = reuse.toNanos();
        this.clock = clock;
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

    /** Reads {@code path} on every host at once and combines the copies that arrive. */
    private CompletableFuture<String> fanOut(String path, Aggregator aggregator) {
        List<CompletableFuture<HostPart>> parts = new ArrayList<>();
        for (HostSet.Member m : hosts.members()) {
            Backend host = m.backend();
            int index = m.index();
            long sentMillis = System.currentTimeMillis(), sent = System.nanoTime();
            parts.add(host.read(path).handle((content, error) -> {
                if (error != null) return null; // down, late or refused: left out
                try {
                    String text = Contents.text(content.bytes());
                    // a host's uptime and btime, as they come, measure its boot with no request of their own
                    if (clock != null) clock.observed(path, index, host, sentMillis, sent, System.nanoTime() - sent, text);
                    return new HostPart(host.name(), index, text);
                } finally {
                    content.release();
                }
            }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<HostPart> arrived = parts.stream().map(CompletableFuture::join).filter(p -> p != null).toList();
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
}
