package io.procsys.cli;

import io.procsys.daemon.MountControl;
import io.procsys.daemon.RemoteActions;
import io.procsys.daemon.UserError;
import io.procsys.daemon.MountStatus;
import io.procsys.daemon.intercept.Interception;
import io.procsys.daemon.intercept.NotForwarded;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The command of `procsys exec`, started and waited for: by {@link ExecCommand}, and by
 * {@link InterceptedExec} when the launcher has made its argv. A class of its own, so that the
 * latter initialises nothing of the former (its scripts' string concatenations spin lambda forms
 * at start: ~75 ms of a cold JVM).
 */
final class ExecProcess {
    private ExecProcess() {}

    /**
     * Starts {@code argv} (under the intercept filter, answered for the view at {@code mirror},
     * when {@code intercept}) with this process's standard streams, and returns its exit status
     * once it ends.
     */
    static int startAndWait(List<String> argv, Path mirror, boolean intercept) throws InterruptedException {
        return startAndWait(argv, mirror, intercept, intercept && scoped(mirror));
    }

    /** Whether the mount at {@code mount} is the view of one scope, as its status says (a mount without a status socket is not). */
    private static boolean scoped(Path mount) {
        try {
            return new String(MountStatus.text(mount), java.nio.charset.StandardCharsets.UTF_8).contains("\nscope ");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** As above, {@code scoped} saying whether the command's own sched_getaffinity is answered with the view's CPUs. */
    static int startAndWait(List<String> argv, Path mirror, boolean intercept, boolean scoped) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv).inheritIO();
        Interception interception = null;
        Process child;
        try {
            if (intercept) {
                interception = Interception.start(builder, mirror, remoteActions(mirror), scoped);
                child = interception.process();
            } else {
                child = builder.start();
            }
        } catch (IOException e) {
            throw new UserError("cannot start the command (unshare, util-linux): " + e.getMessage());
        }
        try {
            // The terminal sends Ctrl-C to CMD as well: let CMD decide, and clean up once it ends.
            Signal.handle(new Signal("INT"), sig -> {});
            Signal.handle(new Signal("TERM"), sig -> child.destroy());
            return child.waitFor();
        } finally {
            if (interception != null) interception.close();
        }
    }

    /**
     * How the calls intercepted on a cluster view reach the remote hosts: the mount's control
     * socket (docs/using.md "Acting on the cluster"). A mount without one (an older release) refuses
     * them as the kernel did before, and says so.
     */
    private static RemoteActions remoteActions(Path mount) {
        return RemoteActions.onFirstUse(() -> {
            try {
                return MountControl.connect(mount);
            } catch (UserError e) {
                System.err.println("procsys: " + e.getMessage() + "; kill, renice and ioprio_get of remote pids are refused");
                return NotForwarded.INSTANCE;
            }
        });
    }
}
