package io.procsys.net.agent;

import io.procsys.posix.Libc;
import io.procsys.posix.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/** {@link Processes} of this host: the system calls of {@link ProcessCalls}, the files under the live proc root. */
final class LiveProcesses implements Processes {
    private final Path procRoot;

    LiveProcesses(Path procRoot) {
        this.procRoot = procRoot;
    }

    @Override
    public int open(int pid) {
        return ProcessCalls.pidfdOpen(pid);
    }

    @Override
    public TargetProcess read(int pid) {
        Path dir = procRoot.resolve(Integer.toString(pid));
        try {
            return TargetProcess.parse(Files.readString(dir.resolve("stat")), Files.readString(dir.resolve("status")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public int signal(int pidfd, int signal) {
        return ProcessCalls.pidfdSendSignal(pidfd, signal);
    }

    @Override
    public int setPriority(int pid, int nice) {
        return ProcessCalls.setPriority(pid, nice);
    }

    @Override
    public int ioprio(int pid) {
        return ProcessCalls.ioprioGet(pid);
    }

    @Override
    public void close(int pidfd) {
        Libc.close(pidfd);
    }

    @Override
    public OptionalInt uidOf(String user) {
        return ProcessCalls.uidOf(user);
    }
}
