package io.procsys.daemon;

import io.procsys.posix.Libc;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's side of the launcher hand-off: until the mount is ready, stderr is a file the
 * launcher shows the user if start-up fails; once ready, what the daemon wrote there goes first
 * into the log file (the launcher drops it on success, and a line said while starting, such as
 * the openat2 fallback, belongs in the log), stderr becomes the log file (fd 2 itself, so
 * libfuse's messages land there too) and one line on stdout tells the launcher it may return.
 */
public final class DaemonOutput {
    private DaemonOutput() {}

    public static void detach(Path logFile, String readyLine) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        Files.write(logFile.toAbsolutePath(), startOutput(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.openat(Libc.AT_FDCWD, arena.allocateFrom(logFile.toAbsolutePath().toString()),
                    Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC, 0644);
            if (fd < 0 || Libc.dup2(fd, 2) < 0) throw new UserError("cannot write the log file " + logFile);
            Libc.close(fd);
        }
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        System.out.println(readyLine);
        System.out.flush();
        System.out.close();
    }

    /** What was written to stderr so far, when stderr is the launcher's file (not a terminal or a pipe: those are not read back). */
    private static byte[] startOutput() throws IOException {
        Path stderr = Path.of("/proc/self/fd/2");
        return Files.isRegularFile(stderr) ? Files.readAllBytes(stderr) : new byte[0];
    }
}
