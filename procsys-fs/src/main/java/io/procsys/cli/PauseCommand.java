package io.procsys.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "pause",
        description = {"Stop the clock of a view of the past (procsys mount --at): every read shows the same moment until procsys resume."})
final class PauseCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT", description = "A view of the past.")
    Path mountpoint;

    @Override
    public Integer call() {
        return PastClockRequest.send(mountpoint, "pause");
    }
}
