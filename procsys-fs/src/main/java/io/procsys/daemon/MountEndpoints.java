package io.procsys.daemon;

import io.procsys.daemon.intercept.InterceptEndpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The sockets of a mount beside its FUSE session: status (procsys status), control (procsys kill,
 * which) and, on a cluster view, the exec supervisor. One that cannot start is said in one line and
 * left out: the mount serves without it.
 */
public final class MountEndpoints implements AutoCloseable {
    private interface Starter {
        AutoCloseable start() throws IOException;
    }

    private final AutoCloseable status, control, intercept;

    private MountEndpoints(AutoCloseable status, AutoCloseable control, AutoCloseable intercept) {
        this.status = status;
        this.control = control;
        this.intercept = intercept;
    }

    /** The endpoints of {@code service}'s mount; {@code allowOther}: other users reach the control socket too, within {@code bounds}. */
    public static MountEndpoints start(MountService service, Path procRoot, boolean allowOther, ControlBounds bounds) {
        AutoCloseable status = endpoint("status (procsys status)", () -> StatusEndpoint.start(service.mountpoint(), procRoot, service.cluster()));
        AutoCloseable control = endpoint("control socket (procsys kill, which)",
                () -> ControlEndpoint.start(service.mountpoint(), service.cluster(), allowOther, bounds));
        AutoCloseable intercept = service.cluster() == null ? () -> {} : endpoint("exec supervisor (procsys exec starts a JVM per command)",
                () -> InterceptEndpoint.start(service.mountpoint(), MountControl.inProcess(service.cluster()), service.cluster().scoped()));
        return new MountEndpoints(status, control, intercept);
    }

    private static AutoCloseable endpoint(String what, Starter starter) {
        try {
            return starter.start();
        } catch (IOException e) {
            System.err.println("procsys: no " + what + ": " + e.getMessage());
            return () -> {};
        }
    }

    /** The exec supervisor first, the status socket last; a failure is said and the others still closed. */
    @Override
    public void close() {
        for (AutoCloseable endpoint : List.of(intercept, control, status)) {
            try {
                endpoint.close();
            } catch (Exception e) {
                System.err.println("procsys: closing a mount's socket: " + e.getMessage());
            }
        }
    }
}
