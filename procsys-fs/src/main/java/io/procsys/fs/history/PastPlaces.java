package io.procsys.fs.history;

import io.procsys.fs.identity.PidMap;
import io.procsys.history.HostCapture;
import io.procsys.history.Task;

import java.util.List;

/**
 * Where a path of a view of the past leads, worked out once per request: {@code hosts/NAME/...}
 * is a host's own tree as it was (its own pids and clock), a top-level cluster pid is a process
 * of some host seen through the view (cluster pids, the view's clock), a top-level combined file
 * is every present host's file combined. Null: no such thing at that time (ENOENT).
 */
final class PastPlaces {
    static final String HOSTS = "hosts";
    static final String TASK = "task";

    sealed interface Place {}

    /** {@code hosts/}. */
    record Hosts() implements Place {}

    /** A host's root directory, or a directory of its system files ({@code dir}: "" the root, "net", "pressure"). */
    record HostDir(PastView.HostAt host, String dir) implements Place {}

    /** A host's own system file. */
    record SystemFile(PastView.HostAt host, String path) implements Place {}

    /** A top-level directory of combined files ("net"). */
    record CombinedDir(String dir) implements Place {}

    /** A top-level combined file ("meminfo", "net/dev"). */
    record Combined(String path) implements Place {}

    /**
     * Something of a process ({@code rest}: "" its directory, a file, "exe", "task",
     * "task/TID", "task/TID/FILE" with TID the host's own); {@code cluster}: reached by its cluster pid.
     */
    record Process(PastView.HostAt host, Task task, String rest, boolean cluster) implements Place {}

    private final PidMap pids;

    PastPlaces(PidMap pids) {
        this.pids = pids;
    }

    /** The place of {@code path} (not "", not a name the mirror answers) at {@code s}, or null. */
    Place of(PastView.Snapshot s, String path, List<String> combinedPaths) {
        String[] parts = path.split("/", 3);
        if (parts[0].equals(HOSTS)) {
            if (parts.length == 1) return new Hosts();
            PastView.HostAt host = s.host(parts[1]);
            if (host == null) return null;
            return parts.length == 2 ? new HostDir(host, "") : onHost(host, parts[2]);
        }
        if (isCombinedDir(path, combinedPaths)) return new CombinedDir(path);
        if (combinedPaths.contains(path)) return new Combined(path);
        if (!io.procsys.fs.NodeKind.isPid(parts[0])) return null;
        long clusterPid = Long.parseLong(parts[0]);
        if (clusterPid < PidMap.HOST_PID_LIMIT || clusterPid >= PidMap.CLUSTER_PID_LIMIT) return null;
        PidMap.Local local = pids.local(clusterPid);
        PastView.HostAt host = local == null ? null : s.host(local.hostIndex());
        if (host == null) return null;
        Task task = host.frame().task(local.pid());
        if (task == null || task.isThread() || task.startTime() != local.startTime()) return null; // ended, or its pid is another's now
        return process(host, task, path.substring(parts[0].length()), true);
    }

    static boolean isCombinedDir(String path, List<String> combinedPaths) {
        for (String p : combinedPaths) if (p.startsWith(path + "/")) return true;
        return false;
    }

    /** {@code rest} of host {@code host}'s tree. */
    private Place onHost(PastView.HostAt host, String rest) {
        String first = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (io.procsys.fs.NodeKind.isPid(first) && first.length() < 8) {
            Task task = host.frame().task(Integer.parseInt(first));
            return task == null || task.isThread() ? null : process(host, task, rest.substring(first.length()), false);
        }
        if (host.frame().file(rest) != null) return new SystemFile(host, rest);
        for (String p : host.frame().files().keySet()) if (p.startsWith(rest + "/")) return new HostDir(host, rest);
        return null;
    }

    /** A process's {@code rest} ("" or "/..."): checked against what the frame has; thread ids made the host's own. */
    private Place process(PastView.HostAt host, Task task, String rest, boolean cluster) {
        if (rest.isEmpty()) return new Process(host, task, "", cluster);
        String[] parts = rest.substring(1).split("/", -1);
        if (parts.length == 1) {
            boolean known = parts[0].equals(TASK) || (!parts[0].equals(HostCapture.ATTRS) && task.item(parts[0]) != null);
            return known ? new Process(host, task, parts[0], cluster) : null;
        }
        if (!parts[0].equals(TASK) || parts.length > 3 || !io.procsys.fs.NodeKind.isPid(parts[1])) return null;
        Integer tid = threadId(host, task, parts[1], cluster);
        if (tid == null) return null;
        if (parts.length == 3 && !ThreadFiles.has(host, task, tid, parts[2])) return null;
        return new Process(host, task, TASK + "/" + tid + (parts.length == 3 ? "/" + parts[2] : ""), cluster);
    }

    /** Thread {@code name} of {@code task} as the host numbers it, or null when the process has no such thread then. */
    private Integer threadId(PastView.HostAt host, Task task, String name, boolean cluster) {
        long id = Long.parseLong(name);
        if (cluster) { // the leader's cluster id is its process's cluster pid
            PidMap.Local local = id >= PidMap.HOST_PID_LIMIT && id < PidMap.CLUSTER_PID_LIMIT ? pids.local(id) : null;
            if (local == null || local.hostIndex() != host.index()) return null;
            id = local.pid();
        }
        if (id == task.id()) return task.id();
        Task thread = id < PidMap.HOST_PID_LIMIT ? host.frame().task((int) id) : null;
        return thread != null && thread.owner() == task.id() ? thread.id() : null;
    }

    /** Which files a thread directory has: the leader's are the process's; another thread's are its stat and the process's statm. */
    static final class ThreadFiles {
        private ThreadFiles() {}

        static List<String> of(Task process, int tid) {
            if (tid == process.id()) return process.items().keySet().stream().filter(n -> !n.equals(HostCapture.ATTRS)).sorted().toList();
            return process.item("statm") != null ? List.of("stat", "statm") : List.of("stat");
        }

        static boolean has(PastView.HostAt host, Task process, int tid, String name) {
            return of(process, tid).contains(name);
        }
    }
}
