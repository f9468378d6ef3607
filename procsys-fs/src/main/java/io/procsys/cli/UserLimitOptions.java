package io.procsys.cli;

import io.procsys.daemon.ControlBounds;
import io.procsys.daemon.UserError;
import io.procsys.fs.access.UserLimits;
import picocli.CommandLine.Option;

import java.time.Duration;

/** What one local user other than root may hold of a mount (docs/security.md, "Bounds"): mount and node. */
final class UserLimitOptions {
    @Option(names = "--max-handles-per-user", paramLabel = "N", defaultValue = "1024",
            description = "Open files of the mount one user other than root may hold; more are EMFILE (default: ${DEFAULT-VALUE}; 0: no bound).")
    int handles;

    @Option(names = "--max-bytes-per-user", paramLabel = "MIB", defaultValue = "64",
            description = "MiB of renderings the open files of one user other than root may hold; more are EAGAIN (default: ${DEFAULT-VALUE}; 0: no bound).")
    long mebibytes;

    @Option(names = "--max-remote-per-user", paramLabel = "N", defaultValue = "128",
            description = "Requests to other hosts one user other than root may have in flight; more are EAGAIN (default: ${DEFAULT-VALUE}; 0: no bound).")
    int remote;

    @Option(names = "--control-connections-per-user", paramLabel = "N", defaultValue = "16",
            description = "Connections to the control socket one user other than root may hold open; more are answered EAGAIN and closed (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--control-requests-per-second", paramLabel = "N", defaultValue = "20",
            description = "Control requests one user other than root may make a second (as many at once); more are EAGAIN (default: ${DEFAULT-VALUE}).")
    double requestsPerSecond;

    @Option(names = "--control-request-ms", paramLabel = "MS", defaultValue = "2000",
            description = "How long a control request may take to arrive whole, however its bytes trickle (default: ${DEFAULT-VALUE}).")
    long requestMillis;

    UserLimits limits() {
        if (handles < 0 || mebibytes < 0 || remote < 0) throw new UserError("--max-*-per-user take 0 (no bound) or more", 2);
        return new UserLimits(new UserLimits.Limits(handles, mebibytes << 20, remote));
    }

    ControlBounds control() {
        if (connections < 1 || requestsPerSecond <= 0 || requestMillis < 100) {
            throw new UserError("--control-connections-per-user and --control-requests-per-second take 1 or more, --control-request-ms 100 or more", 2);
        }
        return new ControlBounds(new ControlBounds.Limits(connections, requestsPerSecond, Duration.ofMillis(requestMillis)));
    }
}
