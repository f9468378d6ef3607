package io.procsys.history;

import io.procsys.net.agent.HistorySource;
import io.procsys.net.protocol.HistoryHostList;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An agent's answers to History requests, from a directory of recordings, one subdirectory per
 * host ({@code --record DIR}, or an archive that agents push to, {@code --accept-archives DIR}):
 * "" is the agent's own host, any other name a host recorded there (an archived host, after it is
 * gone), which {@link #hosts} lists.
 */
public final class RecordedHistory implements HistorySource {
    /** Most bytes of blocks in one answer (under the client's frame bound). */
    public static final int MAX_BYTES = 16 << 20;
    /** Most bytes of one answer: {@link #MAX_BYTES} of blocks, with the batch's header and an entry a block. */
    public static final int MAX_ANSWER_BYTES = MAX_BYTES + SegmentBatch.HEADER + SegmentBatch.MAX_BLOCKS * BlockEntry.BYTES;
    /** What a host directory may be called: a node name. */
    static final String HOST_NAME = HistoryHostList.HOST_NAME;

    private final Path root;
    private final String own;

    /** {@code own}: this agent's host under {@code root}, or null (an archive: "" is no host there). */
    public RecordedHistory(Path root, String own) {
        this.root = root;
        this.own = own;
    }

    @Override
    public CompletableFuture<byte[]> history(String host, long fromMillis, long toMillis) {
        String name = host.isEmpty() ? own : host;
        if (name == null) return failed(Errno.ENOENT, "no recording of this host in " + root);
        if (!name.matches(HOST_NAME)) return failed(Errno.ENOENT, "no host " + host);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) return failed(Errno.ENOENT, "no recording of " + name);
        try {
            StoreReader.Found found = new StoreReader(dir).segments(fromMillis, toMillis, MAX_BYTES);
            if (found.segments().isEmpty()) return failed(Errno.ENODATA, "nothing recorded of " + name + " then");
            return CompletableFuture.completedFuture(SegmentBatch.write(found));
        } catch (IOException | java.io.UncheckedIOException e) {
            return failed(Errno.EIO, "reading the recording of " + name + ": " + e.getMessage());
        }
    }

    /** The hosts recorded under the root but the agent's own: subdirectories named as nodes, holding an index; sorted, at most MAX_HOSTS. */
    @Override
    public CompletableFuture<List<String>> hosts() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (name.matches(HOST_NAME) && !name.equals(own) && holdsIndex(child)) names.add(name);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return failed(Errno.EIO, "listing " + root + ": " + e.getMessage());
        }
        names.sort(null);
        return CompletableFuture.completedFuture(List.copyOf(names.subList(0, Math.min(names.size(), HistoryHostList.MAX_HOSTS))));
    }

    private static boolean holdsIndex(Path dir) {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.index")) {
            return files.iterator().hasNext();
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static <T> CompletableFuture<T> failed(int errno, String why) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, why));
    }
}
