package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_args;
import io.procsys.fuse.bindings.fuse_lowlevel_h;
import io.procsys.fuse.bindings.fuse_lowlevel_ops;
import io.procsys.posix.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One mounted FUSE filesystem: {@code fuse_session_new} + {@code fuse_session_mount}, a
 * multi-threaded loop, and an orderly stop (exit flag, lazy unmount, wait for the loop, destroy).
 *
 * <p>Stopping: libfuse's workers sleep in read(2) on /dev/fuse, and JVM signal handling never
 * interrupts them, so setting the exit flag alone does not end the loop. Unmounting does: once
 * the kernel drops the mount the connection is aborted, every read returns ENODEV and the loop
 * returns. The exit flag is set first so that no worker reads from the closed descriptor again.
 */
public final class FuseSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.fuse");

    private final Arena arena;
    private final MemorySegment session;
    private final Path mountpoint;
    private final UpcallFailures failures;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private volatile boolean loopStarted;
    private volatile int loopResult;
    private boolean unmounted;
    private boolean destroyed;

    private FuseSession(Arena arena, MemorySegment session, Path mountpoint, UpcallFailures failures) {
        this.arena = arena;
        this.session = session;
        this.mountpoint = mountpoint;
        this.failures = failures;
    }

    /**
     * Creates a session for {@code fs} and mounts it on {@code mountpoint} with the given
     * {@code -o} options (e.g. "fsname=procsys", "auto_unmount"). Messages libfuse prints
     * itself go to stderr; the exception says what failed.
     */
    public static FuseSession mount(FuseFilesystem fs, Path mountpoint, List<String> options) throws FuseException {
        return mount(fs, mountpoint, options, null);
    }

    /** As {@link #mount(FuseFilesystem, Path, List)}, telling {@code timer} of every reply (null: none). */
    public static FuseSession mount(FuseFilesystem fs, Path mountpoint, List<String> options, OperationTimer timer) throws FuseException {
        Fuse.requireLibrary();
        Arena arena = Arena.ofShared();
        try {
            UpcallFailures failures = new UpcallFailures();
            MemorySegment ops = new UpcallDispatcher(fs, failures, ReplySink.LIBFUSE, timer).operations(arena);
            List<String> argv = new ArrayList<>(List.of("procsys"));
            if (!options.isEmpty()) {
                argv.add("-o");
                argv.add(String.join(",", options));
            }
            MemorySegment args = arena.allocate(fuse_args.layout());
            MemorySegment argvArray = arena.allocate(ValueLayout.ADDRESS, argv.size() + 1);
            for (int i = 0; i < argv.size(); i++) {
                argvArray.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv.get(i)));
            }
            argvArray.setAtIndex(ValueLayout.ADDRESS, argv.size(), MemorySegment.NULL);
            fuse_args.argc(args, argv.size());
            fuse_args.argv(args, argvArray);
            fuse_args.allocated(args, 0);

            MemorySegment se = fuse_lowlevel_h.fuse_session_new(args, ops, fuse_lowlevel_ops.sizeof(), MemorySegment.NULL);
            if (se.equals(MemorySegment.NULL)) {
                throw new FuseException("libfuse refused the mount options " + options);
            }
            // libfuse forks fusermount3, which stays alive for the mount's lifetime with auto_unmount:
            // without close-on-exec it would inherit, and hold open, every socket and file of this
            // process (an agent's listening port, for one).
            Libc.closeOnExecFrom(3);
            if (fuse_lowlevel_h.fuse_session_mount(se, arena.allocateFrom(mountpoint.toString())) != 0) {
                fuse_lowlevel_h.fuse_session_destroy(se);
                throw new FuseException("could not mount on " + mountpoint + " (see libfuse's message above)");
            }
            return new FuseSession(arena, se, mountpoint, failures);
        } catch (FuseException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Exceptions caught in upcalls so far. */
    public UpcallFailures failures() {
        return failures;
    }

    /**
     * Serves requests on up to {@code maxThreads} libfuse worker threads until the session is
     * stopped or unmounted; returns libfuse's result (0 on a clean end). All workers are kept
     * alive between requests: a thread that enters Java for the first time pays for attaching.
     */
    public int loop(int maxThreads) {
        loopStarted = true;
        MemorySegment config = fuse_lowlevel_h.fuse_loop_cfg_create();
        try {
            fuse_lowlevel_h.fuse_loop_cfg_set_max_threads(config, maxThreads);
            fuse_lowlevel_h.fuse_loop_cfg_set_idle_threads(config, maxThreads);
            fuse_lowlevel_h.fuse_loop_cfg_set_clone_fd(config, 0);
            loopResult = fuse_lowlevel_h.fuse_session_loop_mt(session, config);
            return loopResult;
        } finally {
            fuse_lowlevel_h.fuse_loop_cfg_destroy(config);
            loopDone.countDown();
        }
    }

    /** Runs {@link #loop} on a new platform thread and returns at once. */
    public Thread loopInBackground(int maxThreads) {
        Thread t = Thread.ofPlatform().name("fuse-loop").daemon(true).unstarted(() -> loop(maxThreads));
        loopStarted = true;
        t.start();
        return t;
    }

    /**
     * Stops serving and removes the mount; waits up to {@code timeoutMillis} for the loop to
     * end. Returns whether it ended (then the session is destroyed and the native memory freed).
     * Safe to call more than once and from a shutdown hook.
     */
    public synchronized boolean stop(long timeoutMillis) {
        if (destroyed) return true;
        fuse_lowlevel_h.fuse_session_exit(session);
        if (!unmounted) {
            fuse_lowlevel_h.fuse_session_unmount(session);
            unmounted = true;
        }
        boolean ended = true;
        if (loopStarted) {
            try {
                ended = loopDone.await(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
        }
        if (!ended) {
            // Workers may still run (a file on the mount is held open): freeing now could crash
            // them. The process is about to end anyway; the kernel drops the connection then.
            LOG.log(System.Logger.Level.WARNING, "FUSE loop still running after unmount of " + mountpoint + "; leaving it to process exit");
            return false;
        }
        fuse_lowlevel_h.fuse_session_destroy(session);
        destroyed = true;
        arena.close();
        return true;
    }

    /** Waits until the loop has ended (the mount was removed, or {@link #stop} was called). */
    public void awaitLoopEnd() throws InterruptedException {
        loopDone.await();
    }

    @Override
    public void close() {
        stop(5_000);
    }
}
