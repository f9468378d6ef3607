package io.procsys.daemon.intercept;

import io.procsys.daemon.RemoteActions;
import io.procsys.posix.Errno;
import io.procsys.posix.Seccomp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A command started under the intercept filter, and the supervisor thread answering its calls
 * (docs/architecture.md, "Calls procsys exec intercepts").
 *
 * <p>A short-lived platform thread installs {@link InterceptFilter} on itself alone (no TSYNC:
 * no other JVM thread is filtered) with a new listener, starts the command (the child is cloned
 * from that thread, so it and everything it starts inherit the filter across exec), and ends. The
 * JVM's own threads never wait on the supervisor, so a safepoint cannot deadlock with it.
 */
public final class Interception implements AutoCloseable {
    private final Process process;
    private final Supervisor supervisor;

    private Interception(Process process, Supervisor supervisor) {
        this.process = process;
        this.supervisor = supervisor;
    }

    /**
     * Starts {@code builder} with the calls that name a remote pid of the cluster view at
     * {@code mount}, and sysinfo, answered from {@code mount} and {@code actions}.
     */
    public static Interception start(ProcessBuilder builder, Path mount, RemoteActions actions) throws IOException {
        return start(builder, mount, actions, false);
    }

    /** As above; with {@code ownAffinity} (a view of one scope) the command's own sched_getaffinity is answered with the view's CPUs. */
    public static Interception start(ProcessBuilder builder, Path mount, RemoteActions actions, boolean ownAffinity) throws IOException {
        int[] sizes = Seccomp.notifSizes();
        if (sizes == null) throw new IOException("this kernel has no seccomp user notification (Linux 5.0 or newer needed)");
        byte[] program = InterceptFilter.program(ownAffinity);
        int[] listener = {-1};
        Object[] outcome = new Object[1];
        Thread spawner = Thread.ofPlatform().name("procsys-intercept-spawn").unstarted(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment filter = arena.allocate(program.length, 8);
                MemorySegment.copy(program, 0, filter, ValueLayout.JAVA_BYTE, 0, program.length);
                listener[0] = Seccomp.installWithListener(filter);
                if (listener[0] < 0) {
                    outcome[0] = new IOException("cannot install the seccomp filter: errno " + -listener[0]
                            + (-listener[0] == Errno.EBUSY ? " (this thread already has a listener)" : ""));
                    return;
                }
                outcome[0] = builder.start();
            } catch (IOException | RuntimeException e) {
                outcome[0] = e;
            }
        });
        spawner.start();
        try {
            spawner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!(outcome[0] instanceof Process process)) {
            if (listener[0] >= 0) Seccomp.close(listener[0]);
            if (outcome[0] instanceof IOException e) throw e;
            if (outcome[0] instanceof RuntimeException e) throw e;
            throw new IOException("interrupted while starting the command");
        }
        Supervisor supervisor = new Supervisor(listener[0], new CallAnswerer(new MountView(mount), actions), sizes);
        Thread.ofPlatform().daemon().name("procsys-intercept").start(supervisor);
        return new Interception(process, supervisor);
    }

    public Process process() {
        return process;
    }

    /**
     * Stops the supervisor: within one poll period it closes the listener (a call still trapped
     * then fails with ENOSYS). Not waited for: a JVM thread that inherited the filter (the process
     * reaper) keeps the filter alive, so no POLLHUP ends the poll sooner, and exec need not wait.
     */
    @Override
    public void close() {
        supervisor.stop();
    }
}
