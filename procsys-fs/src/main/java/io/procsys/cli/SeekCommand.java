package io.procsys.cli;

import io.procsys.daemon.PastControl;
import io.procsys.daemon.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "seek",
        description = {"Move a view of the past (procsys mount --at) to another time.",
                "TIME as for --at (\"2026-12-07 03:12\", \"03:12\", \"-5m\" from the time shown now, \"@EPOCH\"); the view goes on "
                        + "running from there, or stays paused. Prints the time shown."})
final class SeekCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "A view of the past.")
    Path mountpoint;

    @Parameters(index = "1", paramLabel = "TIME", description = "Where to go.")
    String time;

    @Override
    public Integer call() {
        return PastClockRequest.send(mountpoint, "seek " + time);
    }
}

/** One request to a view's clock, its answer printed: what seek, pause and resume share. */
final class PastClockRequest {
    private PastClockRequest() {}

    static int send(Path mountpoint, String request) {
        String reply = PastControl.ask(mountpoint, request);
        if (!reply.startsWith("OK ")) throw new UserError(reply.startsWith("ERROR ") ? reply.substring(6) : "unexpected answer: " + reply);
        System.out.println(reply.substring(3));
        return 0;
    }
}
