package io.procsys.net.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an agent acts in the pid namespace it reads: pids and start times come from
 * {@code --proc-root}, and pidfd_open, setpriority and ioprio_get take pids of the agent's own
 * namespace. A Kubernetes DaemonSet without hostPID: true reads the host's /proc (/host/proc) from
 * a namespace of its own, where the host's pid 1 is the agent: such an agent must act on nothing.
 */
final class PidNamespace {
    private PidNamespace() {}

    /**
     * Null when {@code procRoot}'s pid namespace (its pid 1's) is this process's own, else why
     * actions are refused. This process's namespace is read through {@code procRoot}'s self, which
     * a tree of another namespace shows under another pid, or not at all.
     */
    static String mismatch(Path procRoot) {
        String tree, own;
        try {
            tree = Files.readSymbolicLink(procRoot.resolve("1/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "the pid namespace of " + procRoot + " cannot be read (" + e.getMessage() + "): actions are refused";
        }
        try {
            own = Files.readSymbolicLink(procRoot.resolve("self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            own = null;
        }
        if (tree.equals(own)) return null;
        return "this agent is not in the pid namespace of " + procRoot + " (" + tree + ", the agent's " + (own == null ? "not in it" : own)
                + "): its pids are not the ones it would act on, so every action is refused (in a Kubernetes DaemonSet, set hostPID: true)";
    }
}
