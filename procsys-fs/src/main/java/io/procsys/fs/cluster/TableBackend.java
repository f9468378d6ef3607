package io.procsys.fs.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A remote host whose process files are answered from its latest {@link ProcessTable}
 * (docs/process-table.md). Listing the host's root (the cluster root, or hosts/NAME/) fetches a
 * new table in one request, or joins the fetch in flight; for {@code window} after it arrives,
 * lookups, attributes, link texts, listings and whole reads of the files it holds are answered
 * from it, and names it proves absent answer ENOENT. Past the window, while a scan is going on, the
 * next process file request fetches a new table; everything else goes to the agent as before. Each
 * open takes its bytes from one table, so a reader never mixes two.
 */
final class TableBackend implements Backend {
    private final Backend peer;
    /**
     * Fetches a table of the host, with every thread's files or not, holding some parts of every
     * process; one sent at or after {@code sinceNanos} (when the listing that wants it began) may
     * serve several hosts (the hosts below a tree node share the node's reply: PeerTables).
     */
    interface Tables {
        CompletableFuture<ByteBuf> fetch(boolean threads, int parts, long sinceNanos);
    }

    private final Tables tables;
    /** Which parts the next table asks for: what tools read lately. */
    private final TableParts parts = new TableParts();
    /** Until when tables carry threads: while some tool reads thread files (top -H, htop). */
    private volatile long threadsUntilNanos;
    private final Duration window;
    private final TableBudget budget;
    private final LongSupplier clock;
    /** The current table and when it arrived (guarded by this). */
    private ProcessTable table;
    private long arrivedNanos;
    /**
     * The current table's files read once already by each reading thread, by their offset in it
     * (guarded by this): at most {@link #READERS} readers, the one read longest ago forgotten first.
     */
    private Map<Integer, BitSet> readOnce = readers();
    static final int READERS = 8;
    /** Processes acted on through this mount since the current table came (guarded by this): their files go to the agent. */
    private Set<Integer> actedOn = new HashSet<>();
    private CompletableFuture<ProcessTable> inFlight;
    /** When the host's root was last listed here, and when a table fetch last failed. */
    private long listedNanos, failedNanos;
    /** When a process file of this host was last asked for past its table's window (guarded by this). */
    private long lastReadNanos;
    private boolean closed;
    /** The start times of the last table's processes, kept past its window (what the cluster root's listing gives the pid map). */
    private volatile StartTimes seen = StartTimes.NONE;
    /** Whether the host's root was ever listed through this backend (tables are then refreshed on demand). */
    private boolean everFetched;
    /** Whether a listing served the current table stale (the host missed it), and until when its files are served from it (guarded by this). */
    private boolean servingStale;
    private long staleUntilNanos;

    TableBackend(Backend remote, Tables tables, Duration window, TableBudget budget) {
        this(remote, tables, window, budget, System::nanoTime);
    }

    /** {@code remote} answers what the table does not; {@code tables} fetches a table of it. */
    TableBackend(Backend remote, Tables tables, Duration window, TableBudget budget, LongSupplier clock) {
        this.peer = remote;
        this.tables = tables;
        this.window = window;
        this.budget = budget;
        this.clock = clock;
        this.threadsUntilNanos = clock.getAsLong(); // not wanted yet
    }

    @Override
    public String name() {
        return peer.name();
    }

    /** The start time of {@code pid} in the last table of this host, or -1 (never listed here, or not in it). */
    @Override
    public long startTimeSeen(int pid) {
        return seen.of(pid);
    }

    @Override
    public void tableError(String why) {
        peer.tableError(why);
    }

    /** The host behind the tables (its Peer). */
    Backend remote() {
        return peer;
    }

    @Override
    public boolean late() {
        return peer.late();
    }

    @Override
    public boolean firstTableDue() {
        return peer.firstTableDue();
    }

    @Override
    public Duration listingWait() {
        return peer.listingWait();
    }

    @Override
    public synchronized long lastListingAgeNanos() {
        return table == null ? -1 : clock.getAsLong() - arrivedNanos;
    }

    /** The current table's listing while it is at most {@code maxAgeNanos} old; its files are served from it until then. */
    @Override
    public synchronized List<ExportedTree.Entry> staleRoot(long maxAgeNanos) {
        if (table == null || clock.getAsLong() - arrivedNanos > maxAgeNanos) return null;
        staleUntilNanos = arrivedNanos + maxAgeNanos;
        servingStale = true;
        return table.root();
    }

    // ---- the table's life: fetch on listing, serve within the window, refresh while in use

    /** A new table (or the one being fetched); fails if the agent or the budget refuses one. */
    private synchronized CompletableFuture<ProcessTable> fetch(IntSupplier parts, long sinceNanos) {
        if (inFlight != null) return inFlight;
        CompletableFuture<ProcessTable> next = tables.fetch(clock.getAsLong() - threadsUntilNanos < 0, parts.getAsInt(), sinceNanos).thenApply(this::accept);
        inFlight = next;
        next.whenComplete((t, e) -> {
            synchronized (this) {
                if (inFlight == next) inFlight = null;
                if (e != null) failedNanos = clock.getAsLong();
            }
        });
        return next;
    }

    /** Checks a received table and makes it the current one (releasing the one it replaces). */
    private ProcessTable accept(ByteBuf received) {
        ByteBuf bytes = Contents.oneDirectRegion(received); // file items go to fuse_reply_buf as native memory
        ProcessTable next;
        try {
            next = ProcessTable.read(bytes);
        } catch (CorruptedFrameException e) {
            peer.tableError("bad process table (" + e.getMessage() + "): its processes are read one by one");
            throw new ErrnoException(Errno.EPROTO, "bad process table from " + name());
        }
        synchronized (this) {
            drop();
            if (closed) { // the host left while its table was on the way
                next.release();
                throw new ErrnoException(Errno.EHOSTUNREACH, "host " + name() + " left");
            }
            if (!budget.reserve(next.size())) {
                next.release();
                peer.tableError("process table of " + next.size() + " bytes refused: all hosts' tables would pass their "
                        + (budget.limit() >> 20) + " MiB budget; its processes are read one by one");
                throw new ErrnoException(Errno.ENOMEM, "process tables over their memory budget");
            }
            if (next.truncated()) peer.tableError("process table cut short by the agent (its size limit): some processes are left out of listings");
            table = next;
            servingStale = false;
            arrivedNanos = clock.getAsLong();
            seen = StartTimes.of(next);
            return table;
        }
    }

    private void drop() {
        if (table != null) {
            budget.release(table.size());
            table.release();
            table = null;
            readOnce = readers(); // its bits go with the table (up to 1 bit per byte of it, per reader)
            actedOn = new HashSet<>();
        }
    }

    /** Whether the current table still answers: within its window, or while a listing served it stale. */
    private boolean fresh(long now) {
        return now - arrivedNanos <= window.toNanos() || servingStale && now - staleUntilNanos <= 0;
    }

    /** {@code t} retained for the caller if it is still the current table, else null. */
    private synchronized ProcessTable retained(ProcessTable t) {
        if (t == null || table != t) return null;
        t.bytes().retain();
        return t;
    }

    /**
     * The table to answer from, retained for the caller (who releases it), or null to ask the
     * agent. Within the window: the current one. Past it, while a scan is still going (the root
     * was listed within {@link #SCAN_WINDOWS} windows): a new one, fetched once for every reader
     * waiting, so a long `ps` over thousands of processes costs a table per window, not a round
     * trip per file. Otherwise (nobody listed the host lately, or a fetch failed within the last
     * window): none.
     */
    private CompletableFuture<ProcessTable> usable(int part) {
        long newerThan;
        synchronized (this) {
            long now = clock.getAsLong();
            if (table != null && fresh(now)) {
                if (!table.holds(part) && !failedLately(now)) { // asked without it: one table with it, for every reader waiting
                    return fetch(() -> parts.withMissing(part), now).handle((t, error) -> error != null ? null : retained(t));
                }
                table.bytes().retain();
                return CompletableFuture.completedFuture(table);
            }
            // a scan: the root was listed lately, or this host's process files are being read right
            // now (a ps over 100 000 processes reaches a host minutes after listing it)
            boolean scanning = everFetched && (now - listedNanos <= window.toNanos() * SCAN_WINDOWS
                    || lastReadNanos != 0 && now - lastReadNanos <= window.toNanos());
            lastReadNanos = now;
            if (inFlight == null && (!scanning || failedLately(now) || closed)) return NONE;
            newerThan = arrivedNanos;
            drop();
        }
        // any reply sent after this host's last table arrived is newer: a host below a tree node
        // takes the one a sibling's refresh brought, so a long scan costs a reply per node per
        // window, not one per host (a `ps` over 1 000 hosts in 32 racks took 4.7 ms per process)
        return fetch(parts::forRefresh, newerThan).handle((t, error) -> error != null ? null : retained(t));
    }

    private boolean failedLately(long now) {
        return failedNanos != 0 && now - failedNanos <= window.toNanos();
    }

    /** How many windows after the last read of a thread file tables still carry threads. */
    static final int THREAD_WINDOWS = 10;

    /** How many windows after a table arrived a stale one is still refreshed on demand. */
    static final int SCAN_WINDOWS = 5;
    private static final CompletableFuture<ProcessTable> NONE = CompletableFuture.completedFuture(null);

    /** The host left the view: its table goes now, and one still on the way is not kept. */
    synchronized void close() {
        closed = true;
        drop();
    }

    /** Releases the table when it is past its window and {@code keepNanos} (how long a stale one may be served), so an idle mount holds none. */
    synchronized void releaseIfStale(long keepNanos) {
        long now = clock.getAsLong();
        if (table != null && !fresh(now) && now - arrivedNanos > keepNanos) drop();
    }

    // ---- answering from the table (TableLookup says what it holds)

    private static <T> CompletableFuture<T> failed(int errno) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, "process table"));
    }

    /**
     * Answers a request for {@code path} from the table when it can: {@code fromTable} gives the
     * answer for the path's item (null: the item does not hold it), {@code fromAgent} asks the
     * agent. Paths outside process directories never touch the table.
     */
    private <T> CompletableFuture<T> answer(String path, BiFunction<ProcessTable, ProcessTable.Item, CompletableFuture<T>> fromTable,
                                            Supplier<CompletableFuture<T>> fromAgent) {
        TableLookup.InProcess at = TableLookup.InProcess.of(path);
        if (at == null) return fromAgent.get();
        if (at.isThreadFile()) threadsUntilNanos = clock.getAsLong() + window.toNanos() * THREAD_WINDOWS;
        int part = ProcessTableFormat.partOf(at.rest());
        parts.read(part);
        return usable(part).thenCompose(t -> {
            if (t == null) return fromAgent.get();
            try {
                ProcessTable.Item item = TableLookup.lookup(t, path);
                CompletableFuture<T> answered = item == null ? null : item.errno() != 0 ? failed(item.errno()) : fromTable.apply(t, item);
                return answered != null ? answered : fromAgent.get();
            } finally {
                t.release();
            }
        });
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        return answer(path, (t, item) -> CompletableFuture.completedFuture(item.attributes()), () -> peer.stat(path));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> listRoot(long sinceNanos) {
        // listing the root starts a new generation: ps, top, htop and pstree all begin here
        boolean nextSample;
        synchronized (this) {
            long now = clock.getAsLong();
            nextSample = everFetched && now - listedNanos <= window.toNanos(); // top's second sample, htop's refresh
            everFetched = true;
            listedNanos = now;
        }
        // a host that is down or late is left out as for any request; one whose table was refused
        // (bad, over the budget) is listed the old way
        return fetch(() -> parts.forListing(nextSample), sinceNanos).handle((t, error) -> {
            if (error == null) return CompletableFuture.completedFuture(t.root());
            Throwable e = ErrnoException.unwrapped(error);
            boolean unreachable = e instanceof ErrnoException && Round.unanswered(e);
            return unreachable ? CompletableFuture.<List<ExportedTree.Entry>>failedFuture(e) : peer.list("");
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        if (path.isEmpty()) return listRoot(clock.getAsLong());
        return answer(path, (t, item) -> item.listing() == null ? null : CompletableFuture.completedFuture(item.listing()), () -> peer.list(path));
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return answer(path, (t, item) -> item.link() == null ? null : CompletableFuture.completedFuture(item.link()), () -> peer.readlink(path));
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        return read(path, 0);
    }

    @Override
    public CompletableFuture<Content> read(String path, int readerThread) {
        TableLookup.InProcess at = TableLookup.InProcess.of(path);
        boolean acted = at != null && wasActedOn(at.pid());
        return answer(path, (t, item) -> item.isFile() && !acted && firstRead(t, item, readerThread)
                ? CompletableFuture.completedFuture(slice(t, item)) : null, () -> peer.read(path));
    }

    /** Process {@code pid} was signalled or reniced through this mount: what the current table shows of it is old now. */
    synchronized void actedOn(int pid) {
        actedOn.add(pid);
    }

    private synchronized boolean wasActedOn(int pid) {
        return !actedOn.isEmpty() && actedOn.contains(pid);
    }

    private static Map<Integer, BitSet> readers() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, BitSet> eldest) {
                return size() > READERS;
            }
        };
    }

    /**
     * Whether this is {@code readerThread}'s first read of {@code item} from table {@code t}. A
     * table is one sample of the host: a pass reads each file once, and a file read again from the
     * same table by the same reader is its next sample (pidstat -p PID 1, watch cat), which the agent
     * answers as it is now. Counted per reading thread (one thread is one process for ps, top,
     * pidstat), so one user's reads never send another's `ps` to the agent file by file. Empty
     * files are not counted (kernel threads' cmdline: nothing to sample, and their offset is the
     * next item's).
     */
    private synchronized boolean firstRead(ProcessTable t, ProcessTable.Item item, int readerThread) {
        if (t != table || item.fileLength() == 0) return true;
        BitSet read = readOnce.computeIfAbsent(readerThread, r -> new BitSet());
        if (read.get(item.fileOffset())) return false;
        read.set(item.fileOffset());
        return true;
    }

    @Override
    public long connections() {
        return peer.connections();
    }

    /** From the agent: a table is a sample of its window, a handle read again wants the process as it is now. */
    @Override
    public CompletableFuture<Content> readAgain(String path) {
        return peer.read(path);
    }

    /** A file of the table, holding the table's bytes until released. */
    private static Content slice(ProcessTable t, ProcessTable.Item item) {
        ByteBuf bytes = t.bytes().retain();
        MemorySegment data = item.fileLength() == 0 ? MemorySegment.NULL.reinterpret(0)
                : MemorySegment.ofBuffer(bytes.nioBuffer(item.fileOffset(), item.fileLength()));
        return new Content() {
            public MemorySegment bytes() {
                return data;
            }

            public void release() {
                bytes.release();
            }
        };
    }
}
