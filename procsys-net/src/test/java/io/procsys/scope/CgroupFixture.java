package io.procsys.scope;

import io.procsys.tree.ExportedTree;
import io.procsys.tree.ProcTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * A host made on disk for a test: a cgroup root ({@code cgroup/}), a proc tree ({@code proc/})
 * and kubelet's logs ({@code log/}), each file written as the kernel (or kubelet) writes it; the
 * host's own proc files start as those captured on this machine kind (data/scopes/v1-hybrid).
 */
final class CgroupFixture implements AutoCloseable {
    static final Path DATA = Path.of("src/test/data/scopes");
    final Path dir;
    private ProcTree proc;
    private Scopes scopes;
    private ScheduledExecutorService timer;

    private CgroupFixture(Path dir) {
        this.dir = dir;
    }

    /** An empty host with this machine kind's proc files (2 CPUs, no swap). */
    static CgroupFixture create() {
        try {
            CgroupFixture f = new CgroupFixture(Files.createTempDirectory("scope-fixture-"));
            for (String file : List.of("meminfo", "stat", "cpuinfo", "uptime", "diskstats", "swaps")) {
                f.proc(file, Files.readString(DATA.resolve("v1-hybrid/proc/" + file)));
            }
            Files.createDirectories(f.dir.resolve("cgroup"));
            Files.createDirectories(f.dir.resolve("log"));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A host captured by data/scopes/capture.sh. */
    static CgroupFixture captured(String name) {
        try {
            CgroupFixture f = new CgroupFixture(Files.createTempDirectory("scope-fixture-"));
            Path from = DATA.resolve(name);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) f.write(from.relativize(p).toString(), Files.readString(p));
            }
            Files.createDirectories(f.dir.resolve("log"));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CgroupFixture write(String rel, String text) {
        try {
            Path p = dir.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CgroupFixture cgroup(String rel, String text) {
        return write("cgroup/" + rel, text);
    }

    /** A cgroup directory with no file in it (one only some controllers have, say). */
    CgroupFixture cgroupDir(String rel) {
        try {
            Files.createDirectories(dir.resolve("cgroup/" + rel));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CgroupFixture proc(String rel, String text) {
        return write("proc/" + rel, text);
    }

    /** A process of the host: its cgroup file and its stat (state {@code state}). */
    CgroupFixture process(int pid, String cgroupLines, char state) {
        proc(pid + "/cgroup", cgroupLines);
        return proc(pid + "/stat", pid + " (sleep) " + state + " 1 " + pid + " " + pid + " 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n");
    }

    /** Removes a file (a cgroup that went away, say). */
    CgroupFixture delete(String rel) {
        try {
            Files.deleteIfExists(dir.resolve(rel));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scope of {@code specs} on this host (one Scopes per fixture: shared state, as on an agent). */
    ScopedHost scope(String... specs) {
        if (scopes == null) {
            proc = ProcTree.open(dir.resolve("proc"));
            timer = Executors.newSingleThreadScheduledExecutor();
            scopes = new Scopes(ScopeSources.open(new ExportedTree(proc), dir.resolve("cgroup"), dir.resolve("log")), timer);
        }
        return scopes.of(List.of(specs));
    }

    @Override
    public void close() throws IOException {
        if (scopes != null) scopes.close();
        if (timer != null) timer.shutdownNow();
        if (proc != null) proc.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
