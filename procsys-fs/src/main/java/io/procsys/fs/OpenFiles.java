package io.procsys.fs;

import io.procsys.posix.Libc;
import io.procsys.tree.WholeFile;

import java.util.Set;

/** How a file of a proc tree is turned into an {@link OpenFile} at open. */
final class OpenFiles {
    /** Files never snapshot: see {@link OpenFile.Passthrough}. */
    static final Set<String> PASSTHROUGH = Set.of("kmsg", "kcore", "mem", "pagemap", "kpagecount", "kpageflags", "kpagecgroup");
    /** Files read with read(2) at the current position: they cannot seek. */
    static final Set<String> STREAMS = Set.of("kmsg");
    /** A file larger than this is served passthrough instead of snapshot. */
    static final long SNAPSHOT_LIMIT = 16L << 20;

    private OpenFiles() {}

    /** The open file of node {@code node}, whose source is open as {@code fd} (which it then owns). */
    static OpenFile of(int fd, Node node) {
        if (PASSTHROUGH.contains(node.name())) return new OpenFile.Passthrough(fd, STREAMS.contains(node.name()));
        WholeFile file = WholeFile.read(fd, SNAPSHOT_LIMIT);
        if (file.errno() == WholeFile.TOO_BIG) {
            return new OpenFile.Passthrough(fd, false); // pread serves any offset
        }
        Libc.close(fd);
        return file.errno() != 0 ? new OpenFile.Failed(file.errno()) : new OpenFile.Snapshot(file);
    }
}
