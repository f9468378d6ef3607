package io.procsys.fs.cluster;

import io.procsys.net.protocol.ProcessTableFormat;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which parts of every process ({@link ProcessTableFormat#PARTS}) a host's next table asks for.
 * A tool reads the same files at every pass (top: stat and statm; ps: stat, status, cmdline), so
 * a listing asks for what was read since the one before, and the agent reads no more than that.
 * Before anything was read: all but ns/ (only pstree reads it). A read of a part the current
 * table was asked without gets a table with it ({@link #withMissing}), so a tool that reads more
 * than the one before it costs one table more, not a request per file. Every table carries stat:
 * its start times are what gives each process its cluster pid and what an action is checked
 * against on the host (without them a pid reused since the listing would be signalled).
 */
final class TableParts {
    static final int FIRST = ProcessTableFormat.ALL_PARTS & ~ProcessTableFormat.partOf("ns");
    /** In every table: the start times (field 22 of stat). */
    static final int ALWAYS = ProcessTableFormat.partOf("stat");

    /** Parts read since the host's root was last listed. */
    private final AtomicInteger read = new AtomicInteger();
    /** What the last table was asked for. */
    private volatile int asked = FIRST;

    /** Notes a read of {@code part} (0: a path in no part). */
    void read(int part) {
        if ((read.get() & part) != part) read.getAndAccumulate(part, (a, b) -> a | b);
    }

    /** For a listing, which starts a pass: what the last pass read (the same as before if it read nothing). */
    int forListing() {
        int last = read.getAndSet(0);
        return asked = (last == 0 ? asked : last) | ALWAYS;
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
