package io.procsys.fs.cluster;

import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.NativeBytes;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One host's proc tree as the cluster mount sees it: every answer may come later (a remote host
 * answers through Netty). Failures complete the future with a ErrnoException carrying the errno.
 */
public interface Backend {
    String name();

    CompletableFuture<FileAttributes> stat(String path);

    CompletableFuture<List<ExportedTree.Entry>> list(String path);

    /**
     * The root listing for a listing of the cluster that began at {@code sinceNanos}: hosts that
     * share one reply (those below a tree node) take one sent since then. By default list("").
     */
    default CompletableFuture<List<ExportedTree.Entry>> listRoot(long sinceNanos) {
        return list("");
    }

    CompletableFuture<String> readlink(String path);

    /** The whole file, in native memory the caller releases with {@link Content#release()}. */
    CompletableFuture<Content> read(String path);

    /**
     * The whole file for an open by thread {@code readerThread} (the FUSE request's caller): a
     * backend that answers from a sample of the host (a process table) counts reads per reader,
     * so that one reader's re-reads never send another's to the host. By default {@link #read(String)}.
     */
    default CompletableFuture<Content> read(String path, int readerThread) {
        return read(path);
    }

    /** The whole file again for a handle kept open (a read at 0): as it is now, from no cache of process files. By default {@link #read}. */
    default CompletableFuture<Content> readAgain(String path) {
        return read(path);
    }

    /**
     * Whether the host missed a deadline lately and has not answered in time since (Lateness):
     * a combined file, a listing or a subtree reply does not wait for it. Never, by default.
     */
    default boolean late() {
        return false;
    }

    /** Whether the host's first process table is still to come, with its long wait: a listing waits for it even while it is late. */
    default boolean firstTableDue() {
        return false;
    }

    /** How long a listing that starts now may wait for the host's processes (Peer: TableWaits); nothing by default (it answers at once). */
    default java.time.Duration listingWait() {
        return java.time.Duration.ZERO;
    }

    /** How old the host's last listing of its processes is (its process table), in ns; -1 when there is none. */
    default long lastListingAgeNanos() {
        return -1;
    }

    /**
     * The host's last listing of its processes if it is at most {@code maxAgeNanos} old, else
     * null; its process files are then answered from the same table until it is that old (a
     * listing served stale is not mixed with files read now). None by default.
     */
    default List<ExportedTree.Entry> staleRoot(long maxAgeNanos) {
        return null;
    }

    /** The start time (field 22 of stat) of {@code pid} in the host's last process table, or -1 (no table). */
    default long startTimeSeen(int pid) {
        return -1;
    }

    /**
     * Notes that a listing of the cluster left this host, or some of its processes, out, or that its
     * process table could not be used ({@code why}, one line for `procsys status`). A host left out
     * is never silent: the peer shows it, counts it and logs it (Peer). Nothing by default.
     */
    default void tableError(String why) {}

    /**
     * How many times the connection to the host came up so far: a host that rebooted comes back on
     * a new one, so its boot is measured again (BootTimes). Constant for a host with no connection.
     */
    default long connections() {
        return 0;
    }

    /** File bytes in native memory and how to free them. */
    interface Content extends NativeBytes {}
}
