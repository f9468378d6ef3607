package io.procsys.cli;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountControl;
import io.procsys.posix.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "which", mixinStandardHelpOptions = true,
        description = {"Print the host and the local pid of each cluster pid, one line each: CLUSTERPID HOST LOCALPID.",
                "A pid of this host (below 4194304) is this host's own, with the host name of this machine (or the mount's name for it). "
                        + "Exit status 0 if every pid was found, 1 otherwise."},
        footer = {"", "Example:", "  procsys which --mount /mnt/cluster 8388709      8388709 node-b 101"})
final class WhichCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MOUNTPOINT", description = "The procsys cluster mount whose pids these are (needed for pids of other hosts).")
    Path mount;

    @Parameters(paramLabel = "CLUSTERPID", arity = "1..*", description = "Cluster pids, as the mount lists them.")
    List<String> words;

    @Override
    public Integer call() {
        int failures = 0;
        MountControl control = null;
        for (String word : words) {
            long pid = Pids.parse(word);
            if (Pids.isLocal(pid) && mount == null) {
                System.out.println(pid + " " + Hosts.localName() + " " + pid);
                continue;
            }
            if (control == null) control = Pids.control(mount, pid);
            ControlEndpoint.Reply r = control.which(pid);
            if (r.errno() != 0) {
                failures++;
                System.err.println("procsys: which " + pid + ": " + (r.errno() == Errno.ESRCH ? "no host of the mount has this pid" : Errno.describe(r.errno())));
            } else {
                System.out.println(pid + " " + r.host() + " " + r.localPid());
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
