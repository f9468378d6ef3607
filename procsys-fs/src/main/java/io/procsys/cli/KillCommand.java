package io.procsys.cli;

import io.procsys.daemon.MountControl;
import io.procsys.daemon.UserError;
import io.procsys.daemon.Users;
import io.procsys.posix.Errno;
import io.procsys.posix.ProcessCalls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "kill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send a signal to processes of the cluster, by the pids a procsys mount shows.",
                "A pid of this host (below 4194304) is signalled here, by the kernel, as kill(1) does. A pid of another host is "
                        + "forwarded by the mount to that host's agent, as your user name: the agent signals it only if it runs with "
                        + "--allow-signals, the mount's certificate carries the signal role, your name is a user there and the process is "
                        + "yours (docs/using.md \"Acting on the cluster\"). A pid reused since the mount listed it is not touched (ESRCH).",
                "Exit status as kill(1): 0 if every process was signalled, 1 otherwise (each failure is reported on one line)."},
        footer = {"", "Examples:",
                "  procsys kill --mount /mnt/cluster 8388709                 SIGTERM",
                "  procsys kill --mount /mnt/cluster -STOP 8388709 8388710",
                "  procsys kill --mount /mnt/cluster -s KILL 8388709",
                "  procsys kill --mount /mnt/cluster -0 8388709              does it exist, may I signal it?"})
final class KillCommand implements Callable<Integer> {
    @Option(names = {"-s", "--signal"}, paramLabel = "SIG", description = "The signal, by name (TERM, SIGTERM, RTMIN+1) or number (default: TERM).")
    String signalOption;

    @Option(names = "--mount", paramLabel = "MOUNTPOINT", description = "The procsys cluster mount whose pids these are (needed for pids of other hosts).")
    Path mount;

    @Parameters(paramLabel = "[-SIG] CLUSTERPID", arity = "1..*", description = "Cluster pids, as the mount lists them; a first -SIG (-9, -KILL, -STOP) names the signal.")
    List<String> words;

    @Override
    public Integer call() {
        List<String> pids = new ArrayList<>(words);
        String spec = signalOption;
        if (!pids.isEmpty() && pids.getFirst().startsWith("-") && pids.getFirst().length() > 1) {
            if (spec != null) throw new UserError("give the signal once: -s " + spec + " or " + pids.getFirst(), 2);
            spec = pids.removeFirst().substring(1);
        }
        int signal = spec == null ? 15 : Signals.parse(spec);
        if (signal < 0) throw new UserError("'" + spec + "' is no signal (a name such as TERM or a number 0..64)", 2);
        if (pids.isEmpty()) throw new UserError("no pid given", 2);
        List<Long> parsed = new ArrayList<>();
        for (String p : pids) parsed.add(Pids.parse(p));
        MountControl control = null;
        int failures = 0;
        for (long pid : parsed) {
            int errno;
            if (Pids.isLocal(pid)) {
                errno = -ProcessCalls.kill((int) pid, signal);
            } else {
                if (control == null) control = Pids.control(mount, pid);
                errno = control.signal(Users.uid(), pid, signal);
            }
            if (errno != 0) {
                failures++;
                System.err.println("procsys: kill " + pid + ": " + Errno.describe(errno));
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
