package io.procsys.scope;

import io.procsys.tree.ExportedTree;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a host's scopes read from: its proc tree (the host's own files, each process's cgroup
 * line and thread states), its cgroup filesystems and kubelet's log directories. Opened once per
 * agent (or mount); a cgroup root that cannot be opened, or a proc tree in another cgroup
 * namespace than this process, makes every scope here unreadable, with the reason.
 */
public final class ScopeSources implements AutoCloseable {
    /** Where the cgroup filesystems and kubelet's logs are on a host (an agent in a container mounts them elsewhere). */
    public static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup"), LOG_ROOT = Path.of("/var/log");

    private final ExportedTree tree;
    private final CgroupTree cgroups;
    private final PodLogs podLogs;
    private final String refusal;

    private ScopeSources(ExportedTree tree, CgroupTree cgroups, PodLogs podLogs, String refusal) {
        this.tree = tree;
        this.cgroups = cgroups;
        this.podLogs = podLogs;
        this.refusal = refusal;
    }

    /** The sources of the host whose proc tree is {@code tree}. */
    public static ScopeSources open(ExportedTree tree, Path cgroupRoot, Path logRoot) {
        String otherNamespace = otherCgroupNamespace(tree);
        if (otherNamespace != null) return new ScopeSources(tree, null, null, otherNamespace);
        try {
            return new ScopeSources(tree, CgroupTree.open(cgroupRoot), new PodLogs(logRoot), null);
        } catch (IllegalArgumentException e) {
            return new ScopeSources(tree, null, null, e.getMessage());
        }
    }

    /** Sources that serve no scope, for {@code why} (a captured proc tree with no cgroup root given). */
    public static ScopeSources refused(ExportedTree tree, String why) {
        return new ScopeSources(tree, null, null, why);
    }

    /**
     * Why a live /proc cannot be scoped from here: {@code /proc/PID/cgroup} and the cgroup
     * filesystems are seen from the reader's cgroup namespace, so this process must be in the one
     * of the tree's init (an agent in a container: run it with the host's, docker --cgroupns=host).
     */
    private static String otherCgroupNamespace(ExportedTree tree) {
        if (!tree.tree().isLive()) return null;
        ExportedTree.Answer<String> theirs = tree.linkText("1/ns/cgroup");
        try {
            String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString();
            if (theirs.ok() && !theirs.value().equals(ours)) {
                return "this process is in a cgroup namespace of its own (" + ours + ", the host's init is in " + theirs.value()
                        + "): run it in the host's (docker --cgroupns=host)";
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return null; // no cgroup namespaces (an old kernel): one namespace for all
        }
        return null;
    }

    CgroupTree cgroups() {
        return cgroups;
    }

    PodLogs podLogs() {
        return podLogs;
    }

    /** Why no scope can be served here, or null. */
    String refusal() {
        return refusal;
    }

    /** A file of the proc tree (unfiltered: the scope's own reads), or null. */
    String text(String path) {
        return ScopedHost.readText(tree, path);
    }

    @Override
    public void close() {
        if (cgroups != null) cgroups.close();
    }
}
