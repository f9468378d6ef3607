package io.procsys.cli;

import io.procsys.daemon.MountStatus;
import io.procsys.daemon.Mounts;
import io.procsys.daemon.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each peer of a procsys mount: state, round-trip time, last error, last seen.",
                "Also the mount's TLS certificate: serial, end of validity, reloads, and a warning within 14 days of its end."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where procsys is mounted.")
    Path mountpoint;

    @Override
    public Integer call() throws IOException {
        Path target = mountpoint.toAbsolutePath().normalize();
        if (!Mounts.isProcsysMount(target)) throw new UserError(target + " is not a procsys mount");
        byte[] answer;
        try {
            // the daemon renders the text: this command then loads no JSON classes (issue 19)
            answer = json ? MountStatus.json(target) : MountStatus.text(target);
        } catch (IOException e) {
            throw new UserError("no status from the daemon of " + target + " (" + e.getMessage() + ")");
        }
        System.out.write(answer, 0, answer.length);
        if (json && answer[answer.length - 1] != '\n') System.out.println();
        System.out.flush();
        return 0;
    }
}
