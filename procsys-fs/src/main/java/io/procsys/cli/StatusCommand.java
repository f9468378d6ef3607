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

    /**
     * The command for {@code status MOUNTPOINT} and {@code status --json MOUNTPOINT} (either
     * order), or null for anything else (help, mistakes, a path picocli would read otherwise:
     * "-..." or "@file"), which picocli handles. {@link Main} runs it without building picocli's
     * model: reading the annotations took most of what was left of status's start (issue 19).
     */
    static StatusCommand ofPlainArguments(String... args) {
        if (args.length < 2 || args.length > 3 || !args[0].equals("status")) return null;
        StatusCommand command = new StatusCommand();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--json") && !command.json) command.json = true;
            else if (command.mountpoint == null && !arg.isEmpty() && arg.charAt(0) != '-' && arg.charAt(0) != '@') command.mountpoint = Path.of(arg);
            else return null;
        }
        return command.mountpoint == null ? null : command;
    }

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
