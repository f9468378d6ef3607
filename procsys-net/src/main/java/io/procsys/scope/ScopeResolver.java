package io.procsys.scope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds a scope's cgroups on this host: each spec becomes the cgroups ({@link Target}s) whose
 * processes, and those below, are the scope's. Unit names and pods are found by walking the
 * membership hierarchy (at most {@link #MAX_WALK} cgroups, no D-Bus, no API): systemd puts a unit
 * at {@code <slice path>/NAME}, kubelet a pod at {@code pod<uid>} (cgroupfs driver) or
 * {@code ...-pod<uid with _>.slice} (systemd driver) and a container at {@code <id>} or
 * {@code <runtime>-<id>.scope} below it.
 */
public final class ScopeResolver {
    /** Most cgroups visited by one search. */
    static final int MAX_WALK = 20_000;
    /** Deepest cgroup visited (the kernel's default cgroup.max.depth is unlimited; systemd's trees are far shallower). */
    static final int MAX_DEPTH = 32;

    /** A cgroup of the scope: its path in hierarchy {@code hierarchy} ({@link Hierarchies}'s names). */
    public record Target(String hierarchy, String path) {
        @Override
        public String toString() {
            return (hierarchy.equals(Hierarchies.UNIFIED) ? "0:" : hierarchy) + ":" + path;
        }
    }

    /** Found: the scope's cgroups ({@code PRESENT}), or why not. */
    public record Resolution(ScopeState.Outcome outcome, List<Target> targets, String detail) {}

    private final CgroupFiles tree;
    private final Hierarchies hierarchies;
    private final PodLogs logs;

    ScopeResolver(CgroupFiles tree, Hierarchies hierarchies, PodLogs logs) {
        this.tree = tree;
        this.hierarchies = hierarchies;
        this.logs = logs;
    }

    /** The union of the cgroups of {@code specs}; a cgroup below another one found is dropped (never counted twice). */
    public Resolution resolve(List<ScopeSpec> specs) {
        List<Target> found = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (ScopeSpec spec : specs) {
            Found f = resolve(spec);
            if (f.ambiguous()) return new Resolution(ScopeState.Outcome.AMBIGUOUS, List.of(), spec.text() + ": " + f.note());
            if (f.targets().isEmpty()) notes.add(spec.text() + ": " + f.note());
            found.addAll(f.targets());
        }
        List<Target> outermost = outermost(found);
        String detail = String.join("; ", notes);
        return new Resolution(outermost.isEmpty() ? ScopeState.Outcome.ABSENT : ScopeState.Outcome.PRESENT, outermost, detail);
    }

    /** What one spec found: its cgroups, or none with a note; {@code ambiguous} when a name matched more than one. */
    private record Found(List<Target> targets, boolean ambiguous, String note) {
        static Found none(String note) {
            return new Found(List.of(), false, note);
        }
    }

    private Found resolve(ScopeSpec spec) {
        return switch (spec) {
            case ScopeSpec.CgroupPath p -> path(p.path());
            case ScopeSpec.ControllerPath c -> controllerPath(c.controller(), c.path());
            case ScopeSpec.Unit u -> unit(u.name());
            case ScopeSpec.Pods p -> pods(p);
            case ScopeSpec.PodUids u -> podCgroups(new HashSet<>(u.uids()), null);
        };
    }

    /** Where a cgroup path or a unit is looked for, in order: the unified hierarchy, then systemd's v1 one. */
    private List<String> systemdHierarchies() {
        List<String> out = new ArrayList<>();
        for (String h : List.of(Hierarchies.UNIFIED, Hierarchies.SYSTEMD)) {
            if (hierarchies.dir(h) != null) out.add(h);
        }
        return out;
    }

    private Found path(String path) {
        for (String h : systemdHierarchies()) {
            if (tree.exists(CgroupTree.join(hierarchies.dir(h), path, ""))) return new Found(List.of(new Target(h, path)), false, "");
        }
        return Found.none("no cgroup " + path + " in the " + String.join(" or ", systemdHierarchies()) + " hierarchy"
                + (hierarchies.v2() ? "" : " (a v1 controller's: CONTROLLER:" + path + ")"));
    }

    private Found controllerPath(String controller, String path) {
        String h = hierarchies.v2() ? Hierarchies.UNIFIED : controller;
        String dir = hierarchies.dir(h);
        if (dir == null) return Found.none("no " + controller + " hierarchy on this host (" + hierarchies.layout() + ")");
        if (!tree.exists(CgroupTree.join(dir, path, ""))) return Found.none("no cgroup " + path + " in the " + controller + " hierarchy");
        return new Found(List.of(new Target(h, path)), false, "");
    }

    private Found unit(String name) {
        for (String h : systemdHierarchies()) {
            Walk walk = find(h, name::equals);
            if (walk.paths().size() > 1) return new Found(List.of(), true, "ambiguous: " + walk.paths().size() + " cgroups named " + name + ": " + String.join(", ", walk.paths()));
            if (walk.paths().size() == 1) return new Found(List.of(new Target(h, walk.paths().getFirst())), false, "");
            if (walk.cut()) return Found.none("not found in the first " + MAX_WALK + " cgroups");
        }
        return Found.none(name + " has no cgroup on this host (not running, or no systemd)");
    }

    private Found pods(ScopeSpec.Pods spec) {
        Set<String> uids = new HashSet<>();
        Map<String, List<String>> containers = spec.container() == null ? null : new HashMap<>();
        for (PodLogs.Pod pod : logs.pods()) {
            if (!pod.namespace().equals(spec.namespace()) || !spec.matches(pod.name())) continue;
            uids.add(pod.uid());
            if (containers != null) containers.put(pod.uid(), logs.containerIds(pod.namespace(), pod.name(), spec.container()));
        }
        if (uids.isEmpty()) return Found.none("no pod of " + spec.namespace() + " named " + spec.podGlob() + " in the kubelet's logs");
        return podCgroups(uids, containers);
    }

    /** The cgroups of pods {@code uids}, or with {@code containers} (pod uid → container ids) of those containers. */
    private Found podCgroups(Set<String> uids, Map<String, List<String>> containers) {
        Map<String, String> uidByCgroupName = new HashMap<>();
        for (String uid : uids) {
            uidByCgroupName.put("pod" + uid, uid);
            uidByCgroupName.put("pod" + uid.replace('-', '_'), uid);
        }
        for (String h : podHierarchies()) {
            Walk walk = find(h, name -> uidByCgroupName.containsKey(podPart(name)));
            if (walk.paths().isEmpty()) continue;
            List<Target> targets = new ArrayList<>();
            for (String pod : walk.paths()) {
                if (containers == null) {
                    targets.add(new Target(h, pod));
                } else {
                    List<String> ids = containers.get(uidByCgroupName.get(podPart(pod.substring(pod.lastIndexOf('/') + 1))));
                    for (String child : childrenOf(h, pod)) {
                        if (ids != null && ids.stream().anyMatch(id -> isContainer(child, id))) targets.add(new Target(h, pod + "/" + child));
                    }
                }
            }
            return targets.isEmpty() ? Found.none("the pods' cgroups have no such container") : new Found(targets, false, "");
        }
        return Found.none("no cgroup of pod " + String.join(",", uids));
    }

    private List<String> podHierarchies() {
        List<String> out = new ArrayList<>(systemdHierarchies());
        if (hierarchies.dir("memory") != null && !hierarchies.v2()) out.add("memory"); // v1 without systemd (kubelet's cgroupfs driver)
        return out;
    }

    /** {@code pod<uid>} of a cgroup name ({@code pod<uid>}, or systemd's {@code kubepods-burstable-pod<uid_>.slice}). */
    static String podPart(String name) {
        if (name.startsWith("pod")) return name;
        int at = name.lastIndexOf("-pod");
        if (at < 0 || !name.endsWith(".slice")) return "";
        return name.substring(at + 1, name.length() - ".slice".length());
    }

    /** Whether cgroup {@code name} is container {@code id}'s: {@code <id>} (cgroupfs) or {@code <runtime>-<id>.scope}, never a conmon's. */
    static boolean isContainer(String name, String id) {
        return name.equals(id) || name.endsWith("-" + id + ".scope") && !name.contains("conmon");
    }

    private List<String> childrenOf(String hierarchy, String path) {
        List<String> children = tree.children(CgroupTree.join(hierarchies.dir(hierarchy), path, ""));
        return children == null ? List.of() : children;
    }

    /** What a walk found: the matching cgroups' paths, and whether it stopped at {@link #MAX_WALK}. */
    private record Walk(List<String> paths, boolean cut) {}

    /** The cgroups of {@code hierarchy} whose own name matches (a match's own children are not searched). */
    private Walk find(String hierarchy, Predicate<String> name) {
        List<String> paths = new ArrayList<>();
        List<String> stack = new ArrayList<>(List.of("/"));
        List<Integer> depths = new ArrayList<>(List.of(0));
        int visited = 0;
        while (!stack.isEmpty()) {
            String path = stack.removeLast();
            int depth = depths.removeLast();
            if (++visited > MAX_WALK) return new Walk(paths, true);
            for (String child : childrenOf(hierarchy, path)) {
                String childPath = path.equals("/") ? "/" + child : path + "/" + child;
                if (name.test(child)) {
                    paths.add(childPath);
                } else if (depth + 1 < MAX_DEPTH) {
                    stack.add(childPath);
                    depths.add(depth + 1);
                }
            }
        }
        paths.sort(null);
        return new Walk(paths, false);
    }

    /** {@code targets} without those below another one of the same hierarchy, nor repeats. */
    static List<Target> outermost(List<Target> targets) {
        List<Target> out = new ArrayList<>();
        for (Target t : targets) {
            boolean inside = targets.stream().anyMatch(o -> o != t && o.hierarchy().equals(t.hierarchy())
                    && !o.path().equals(t.path()) && CgroupLines.within(t.path(), o.path()));
            if (!inside && !out.contains(t)) out.add(t);
        }
        return out;
    }
}
