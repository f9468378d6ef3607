package io.procsys.fs.cluster;

import io.procsys.fs.combine.Aggregator;
import io.procsys.fs.combine.Aggregators;
import io.procsys.fs.combine.CombineResult;
import io.procsys.fs.combine.HostPart;
import io.procsys.fuse.Errno;
import io.procsys.net.client.RemoteError;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Top-level files whose cluster view combines every host's copy (see docs/aggregation.md): one
 * read of the file is sent to every host at once, and the copies that arrive by the deadline are
 * combined; a host that is down or late is left out.
 */
final class CombinedFiles {
    private static final System.Logger LOG = System.getLogger("io.procsys.fs.cluster");
    private final List<Backend> hosts;

    /** {@code hosts} in host-index order: index 0 is this host. */
    CombinedFiles(List<Backend> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    static boolean isCombined(String path) {
        return Aggregators.forPath(path).isPresent();
    }

    /** Reads {@code path} on every host and combines what arrives. */
    CompletableFuture<Backend.Content> read(String path) {
        Optional<Aggregator> aggregator = Aggregators.forPath(path);
        if (aggregator.isEmpty()) return CompletableFuture.failedFuture(new RemoteError(Errno.ENOENT, path + " is not combined"));
        List<CompletableFuture<HostPart>> parts = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Backend host = hosts.get(i);
            int index = i;
            parts.add(host.read(path).handle((content, error) -> {
                if (error != null) return null; // down, late or refused: left out
                try {
                    return new HostPart(host.name(), index, Contents.text(content.bytes()));
                } finally {
                    content.release();
                }
            }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<HostPart> arrived = parts.stream().map(CompletableFuture::join).filter(p -> p != null).toList();
            if (arrived.isEmpty()) throw new RemoteError(Errno.EHOSTUNREACH, "no host answered for " + path);
            CombineResult result = aggregator.get().combineWithReport(arrived);
            for (CombineResult.Dropped d : result.dropped()) {
                LOG.log(System.Logger.Level.WARNING, path + ": left out host " + d.host() + ": " + d.reason());
            }
            return Contents.of(result.text());
        });
    }
}
