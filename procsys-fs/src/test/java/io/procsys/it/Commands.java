package io.procsys.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs commands for the integration tests, with a time limit and captured output. */
final class Commands {
    private Commands() {}

    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** The ./procsys launcher at the repository root (tests run in the module directory). */
    static Path launcher() {
        return Path.of("..", "procsys").toAbsolutePath().normalize();
    }

    private static Path sharedCopy;

    /**
     * A copy of the launcher and the built application in a fresh directory that every user can
     * traverse and read (the repository may live under a directory only root can enter). Made
     * once per test JVM.
     */
    static synchronized Path launcherReachableByAnyone() throws IOException {
        if (sharedCopy != null) return sharedCopy.resolve("procsys");
        Path root = launcher().getParent();
        Path copy = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "procsys-shared-");
        for (String part : List.of("procsys", "scripts/find-jdk.sh", "procsys-fs/target/procsys-fs.jar", "procsys-fs/target/lib")) {
            copyTree(root.resolve(part), copy.resolve(part));
        }
        try (var paths = java.nio.file.Files.walk(copy)) {
            for (Path p : paths.toList()) {
                boolean executable = java.nio.file.Files.isDirectory(p) || p.getFileName().toString().equals("procsys");
                java.nio.file.Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        sharedCopy = copy;
        return copy.resolve("procsys");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = java.nio.file.Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                java.nio.file.Files.createDirectories(java.nio.file.Files.isDirectory(p) ? target : target.getParent());
                if (!java.nio.file.Files.isDirectory(p)) java.nio.file.Files.copy(p, target);
            }
        }
    }

    static Result run(String... command) {
        return run(List.of(command), 60);
    }

    static Result run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The launcher with arguments. */
    static Result procsys(String... args) {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        return run(command, 120);
    }

    /** A tool run through `procsys exec --mount MOUNT -- tool...`. */
    static Result throughMirror(Path mount, String... tool) {
        List<String> args = new ArrayList<>(List.of("exec", "--mount", mount.toString(), "--"));
        args.addAll(List.of(tool));
        return procsys(args.toArray(String[]::new));
    }

    /**
     * Starts `sleep` as a process whose /proc files stay still while a test reads them: returns
     * once it has exec'd and its memory map stopped changing (the loader maps libraries first).
     */
    static Process sleeper() {
        try {
            Process p = new ProcessBuilder("sleep", "600").start();
            Path maps = Path.of("/proc", Long.toString(p.pid()), "maps");
            String last = "";
            for (int i = 0; i < 100; i++) {
                Thread.sleep(20);
                String now = java.nio.file.Files.readString(maps);
                if (now.equals(last) && now.contains("sleep")) return p;
                last = now;
            }
            return p;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
