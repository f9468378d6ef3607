package io.procsys.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cgroups a test makes under a name of its own ({@code procsys-it-<pid>}) in every hierarchy of
 * this host (each v1 controller's, systemd's and the unified one: this machine kind is hybrid,
 * controllers mounted apart), and removes at the end: the processes it started are killed, the
 * cgroups it made removed deepest first. Nothing else is touched.
 */
final class TestCgroups implements AutoCloseable {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    final String name = "procsys-it-" + ProcessHandle.current().pid();
    /** The hierarchies' directories (a pure v2 host: the root alone). */
    final List<Path> hierarchies;
    private final List<String> made = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    TestCgroups() {
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            hierarchies = List.of(ROOT);
            write(ROOT.resolve("cgroup.subtree_control"), "+memory +cpu +cpuset");
        } else {
            try (Stream<Path> dirs = Files.list(ROOT)) {
                hierarchies = dirs.filter(d -> Files.isDirectory(d) && Files.exists(d.resolve("cgroup.procs"))).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The directory of cgroup {@code path} (under this test's name) in {@code hierarchy} ("memory", "unified", ...; "" on v2). */
    Path dir(String hierarchy, String path) {
        Path h = hierarchies.size() == 1 ? ROOT : ROOT.resolve(hierarchy);
        return path.isEmpty() ? h.resolve(name) : h.resolve(name).resolve(path);
    }

    /** The absolute cgroup path of {@code path} ("/procsys-it-N/here/web"). */
    String cgroupPath(String path) {
        return "/" + name + (path.isEmpty() ? "" : "/" + path);
    }

    /** Makes {@code path} (and its parents) under the test's name in every hierarchy. */
    void make(String path) {
        List<String> chain = new ArrayList<>(List.of(""));
        String[] parts = path.isEmpty() ? new String[0] : path.split("/");
        for (int i = 0; i < parts.length; i++) chain.add(String.join("/", Arrays.copyOf(parts, i + 1)));
        for (String p : chain) {
            if (made.contains(p)) continue;
            for (Path h : hierarchies) {
                Path dir = p.isEmpty() ? h.resolve(name) : h.resolve(name).resolve(p);
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) { // a v1 cpuset takes no process before these are set
                    if (Files.exists(dir.resolve(f)) && read(dir.resolve(f)).isBlank()) write(dir.resolve(f), read(dir.getParent().resolve(f)));
                }
                if (hierarchies.size() == 1 && !p.equals(path)) write(dir.resolve("cgroup.subtree_control"), "+memory +cpu +cpuset");
            }
            made.add(p);
        }
    }

    /** Removes {@code path} (its processes gone) from every hierarchy, as a unit stopped. */
    void remove(String path) {
        for (Path h : hierarchies) {
            Path dir = path.isEmpty() ? h.resolve(name) : h.resolve(name).resolve(path);
            for (int i = 0; i < 50 && Files.exists(dir); i++) {
                try {
                    Files.delete(dir);
                } catch (IOException busy) { // a killed process not reaped yet
                    sleep(20);
                }
            }
        }
        made.remove(path);
    }

    void set(String hierarchy, String path, String file, String value) {
        write(dir(hierarchy, path).resolve(file), value);
    }

    String get(String hierarchy, String path, String file) {
        return read(dir(hierarchy, path).resolve(file)).strip();
    }

    /** Starts {@code command} in cgroup {@code path} of every hierarchy (it moves itself there before exec). */
    Process start(String path, String command) {
        StringBuilder moves = new StringBuilder();
        for (Path h : hierarchies) moves.append("echo $$ > ").append(h.resolve(name).resolve(path).resolve("cgroup.procs")).append(" && ");
        try {
            Process p = new ProcessBuilder("sh", "-c", moves + "exec " + command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            started.add(p);
            ClusterMountIT.waitFor(() -> members(path).contains(p.pid()) || !p.isAlive(), 5_000, command + " in " + path);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Moves process {@code pid} to cgroup {@code path} in every hierarchy. */
    void move(long pid, String path) {
        for (Path h : hierarchies) write(h.resolve(name).resolve(path).resolve("cgroup.procs"), Long.toString(pid));
    }

    /** The processes of {@code path} as its unified (or systemd) cgroup lists them. */
    List<Long> members(String path) {
        Path h = hierarchies.size() == 1 ? ROOT : hierarchies.stream().filter(d -> d.getFileName().toString().equals("unified")).findFirst()
                .orElse(ROOT.resolve("systemd"));
        return read(h.resolve(name).resolve(path).resolve("cgroup.procs")).lines().map(Long::parseLong).sorted().toList();
    }

    /**
     * A directory to serve as an agent's cgroup root ({@code --cgroup-root}) in which cgroup
     * {@code path} is the root of every hierarchy: links to its directories. So several agents on
     * this one machine each have a host of their own, and one spec names a different cgroup on each.
     */
    Path rootAt(Path where, String path) throws IOException {
        Files.createDirectories(where);
        for (Path h : hierarchies) Files.createSymbolicLink(where.resolve(h.getFileName()), h.resolve(name).resolve(path));
        return where;
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> deepestFirst = new ArrayList<>(made);
        deepestFirst.sort((a, b) -> Integer.compare(b.split("/").length + b.length(), a.split("/").length + a.length()));
        for (String p : deepestFirst) remove(p);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
