package io.procsys.cli;

import io.procsys.daemon.ControlEndpoint;
import io.procsys.daemon.MountControl;
import io.procsys.daemon.PastControl;
import io.procsys.posix.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "which", mixinStandardHelpOptions = true,
        description = {"Print the host and the local pid of each cluster pid, one line each: CLUSTERPID HOST LOCALPID.",
                "A pid of this host (below 4194304) is this host's own, with the host name of this machine (or the mount's name for it). "
                        + "On a view of the past (mount --at), the host and pid each had at the time it shows. "
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
        boolean past = mount != null && Files.exists(PastControl.socketFor(mount)); // a view of the past answers as at the time it shows
        for (String word : words) {
            long pid = Pids.parse(word);
            if (Pids.isLocal(pid) && (mount == null || past)) { // a view of the past shows this host's own processes live
                System.out.println(pid + " " + Hosts.localName() + " " + pid);
                continue;
            }
            if (past) {
                failures += whichInThePast(pid);
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

    /** A pid of a view of the past (mount --at), as the view shows it at its time; 1 if no host had it then. */
    private int whichInThePast(long pid) {
        String reply = PastControl.ask(mount, "which " + pid);
        if (reply.startsWith("OK ")) {
            System.out.println(pid + " " + reply.substring(3));
            return 0;
        }
        System.err.println("procsys: which " + pid + ": " + (reply.startsWith("ERROR ") ? reply.substring(6) : "unexpected answer: " + reply));
        return 1;
    }
}
