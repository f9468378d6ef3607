package io.procsys.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "resume",
        description = {"Start the clock of a paused view of the past again, at wall speed from the moment it shows."})
final class ResumeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT", description = "A view of the past.")
    Path mountpoint;

    @Override
    public Integer call() {
        return PastClockRequest.send(mountpoint, "resume");
    }
}
