package io.procsys.fs.cluster;

import io.procsys.net.protocol.ProcessTableFormat;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which parts of every process ({@link ProcessTableFormat#PARTS}) a host's next table asks for.
 * A tool reads the same files at every pass (top: stat and statm; ps: stat, status, cmdline), so
 * a listing asks for what was read before it, and the agent reads no more than that:
 * <ul>
 *   <li>a listing soon after the last one (within a table window) is a tool's next sample (top's
 *       second, htop's refreshes): it asks for what the last pass read, so top's second sample
 *       costs stat and statm only;</li>
 *   <li>a later one is likely another command: it asks for what the last {@value #PASSES} passes
 *       read. Operators take turns with tools (ps, then pgrep, which reads cgroup where ps reads
 *       environ, then ps again), and with the last pass alone each turn cost one table more.</li>
 * </ul>
 * ns/ is asked for only after a pass that read it (about a third of a table build, and only
 * pstree reads it). Before anything was read: all but ns/. A read of a part the current table
 * was asked without gets a table with it ({@link #withMissing}), so a tool that reads more than
 * those before it costs one table more, not a request per file. Every table carries stat: its
 * start times are what gives each process its cluster pid and what an action is checked against
 * on the host (without them a pid reused since the listing would be signalled).
 */
final class TableParts {
    private static final int NS = ProcessTableFormat.partOf("ns");
    static final int FIRST = ProcessTableFormat.ALL_PARTS & ~NS;
    /** In every table: the start times (field 22 of stat). */
    static final int ALWAYS = ProcessTableFormat.partOf("stat");

    /** How many passes that read something a listing asks for. */
    static final int PASSES = 4;

    /** Parts read since the host's root was last listed. */
    private final AtomicInteger read = new AtomicInteger();
    /** What the last table was asked for. */
    private volatile int asked = FIRST;
    /** What each of the last {@link #PASSES} passes that read something read, the newest at {@link #newest}. */
    private final int[] passes = new int[PASSES];
    private int newest = -1;

    /** Notes a read of {@code part} (0: a path in no part). */
    void read(int part) {
        if ((read.get() & part) != part) read.getAndAccumulate(part, (a, b) -> a | b);
    }

    /**
     * For a listing, which starts a pass: what the last pass read if this is a tool's next sample
     * ({@code nextSample}: soon after the listing before), else what the last {@link #PASSES}
     * passes read, ns/ only if the last one read it. The same as before if the last pass read nothing.
     */
    synchronized int forListing(boolean nextSample) {
        int last = read.getAndSet(0);
        if (last == 0) return asked = asked | ALWAYS;
        newest = (newest + 1) % PASSES;
        passes[newest] = last;
        if (nextSample) return asked = last | ALWAYS;
        int recent = 0;
        for (int pass : passes) recent |= pass;
        return asked = (recent & ~NS) | (last & NS) | ALWAYS;
    }

    /** For a table fetched during a pass (past the window): what the pass read so far and the last table held. */
    int forRefresh() {
        return asked = asked | read.get();
    }

    /** For a read of {@code part}, which the current table was asked without. */
    int withMissing(int part) {
        return asked = FIRST | part | read.get();
    }
}
