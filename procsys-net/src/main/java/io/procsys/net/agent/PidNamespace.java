package io.procsys.net.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an agent acts in the pid namespace it reads: pids and start times come from
 * {@code --proc-root}, and pidfd_open, setpriority and ioprio_get take pids of the agent's own
 * namespace. A Kubernetes DaemonSet without hostPID: true reads the host's /proc (/host/proc) from
 * a namespace of its own, where the host's pid 1 is the agent: such an agent must act on nothing.
 *
 * <p>The tree's own view of this process says it: {@code self} resolves only in a proc mount whose
 * namespace holds this process, and its status's NSpid line lists the process's pid in the mount's
 * namespace and in every one below it down to the process's own: one pid, the same namespace.
 * (pid 1's ns link would name the mount's namespace directly, but reading it needs ptrace access to
 * pid 1, which a sandbox may refuse even to root.)
 */
final class PidNamespace {
    private PidNamespace() {}

    /** Null when {@code procRoot}'s pid namespace is this process's own, else why actions are refused. */
    static String mismatch(Path procRoot) {
        String status;
        try {
            status = Files.readString(procRoot.resolve("self/status"));
        } catch (IOException | RuntimeException e) {
            return refusal(procRoot, "this agent is not in it at all");
        }
        for (String line : status.split("\n")) {
            if (!line.startsWith("NSpid:")) continue;
            String[] pids = line.substring(6).strip().split("\\s+");
            return pids.length == 1 ? null : refusal(procRoot, "the agent is pid " + pids[0] + " there, " + pids[pids.length - 1] + " in its own");
        }
        // before Linux 4.1 (no NSpid): the tree's self is this process's own pid only in its own namespace
        String self = status.lines().filter(l -> l.startsWith("Pid:")).findFirst().map(l -> l.substring(4).strip()).orElse("");
        return self.equals(Long.toString(ProcessHandle.current().pid())) ? null : refusal(procRoot, "the agent is pid " + self + " there");
    }

    private static String refusal(Path procRoot, String why) {
        return "this agent is not in the pid namespace of " + procRoot + " (" + why + "): its pids are not the ones it would act on, "
                + "so every action is refused (in a Kubernetes DaemonSet, set hostPID: true)";
    }
}
