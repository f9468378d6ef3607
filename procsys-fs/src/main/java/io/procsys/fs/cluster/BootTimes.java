package io.procsys.fs.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each host's boot time (btime of its /proc/stat), to rebase remote process start times onto
 * this host's. Looked up once per host and kept for a minute (a host that reboots gets a new one).
 */
final class BootTimes {
    private static final long KEEP_MILLIS = 60_000;

    private record Known(long btime, long at) {}

    private final HostSet hosts;
    private final Map<Integer, Known> known = new ConcurrentHashMap<>();

    BootTimes(HostSet hosts) {
        this.hosts = hosts;
    }

    /** Host {@code index}'s btime minus this host's, in seconds (0 when either is unknown). */
    CompletableFuture<Long> deltaSeconds(int index) {
        return btime(index).thenCombine(btime(0), (remote, local) -> remote == 0 || local == 0 ? 0 : remote - local);
    }

    private CompletableFuture<Long> btime(int index) {
        Known k = known.get(index);
        if (k != null && System.currentTimeMillis() - k.at < KEEP_MILLIS) return CompletableFuture.completedFuture(k.btime);
        Backend host = hosts.get(index);
        if (host == null) return CompletableFuture.completedFuture(0L);
        return host.read("stat").handle((content, error) -> {
            if (error != null) return 0L;
            try {
                long btime = parse(Contents.text(content.bytes()));
                if (btime > 0) known.put(index, new Known(btime, System.currentTimeMillis()));
                return btime;
            } finally {
                content.release();
            }
        });
    }

    /** Host index {@code index} goes to another host. */
    void forget(int index) {
        known.remove(index);
    }

    static long parse(String stat) {
        for (String line : stat.split("\n")) {
            if (line.startsWith("btime ")) {
                try {
                    return Long.parseLong(line.substring(6).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
