package io.procsys.scope;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each cgroup hierarchy of a host is under its cgroup root, and which layout the host has:
 * {@code v2} (one unified hierarchy at the root), {@code hybrid} (v1 controllers apart, and a
 * unified hierarchy at {@code unified/}) or {@code v1}. Hierarchies are named as in
 * {@code /proc/PID/cgroup}: {@link #UNIFIED}, {@link #SYSTEMD} or a controller.
 */
public record Hierarchies(String layout, Map<String, String> dirs) {
    public static final String UNIFIED = "unified";
    public static final String SYSTEMD = "name=systemd";
    public static final String V1 = "v1", HYBRID = "hybrid", V2 = "v2";
    /** The controllers whose files a scope reads (v1 names; on v2 they are all the unified hierarchy, blkio's files are io's). */
    static final String[] CONTROLLERS = {"memory", "cpu", "cpuacct", "cpuset", "blkio", "io"};

    /** The layout of the tree at {@code root}. */
    public static Hierarchies detect(CgroupFiles root) {
        Map<String, String> dirs = new HashMap<>();
        if (root.read("cgroup.controllers") != null) {
            dirs.put(UNIFIED, "");
            for (String c : CONTROLLERS) dirs.put(c, "");
            return new Hierarchies(V2, Map.copyOf(dirs));
        }
        var names = root instanceof CgroupTree t ? t.entries(".", true) : root.children(".");
        if (names != null) {
            for (String name : names) {
                if (name.equals("unified")) {
                    if (root.read("unified/cgroup.controllers") != null) dirs.put(UNIFIED, name);
                } else if (name.equals("systemd")) {
                    dirs.put(SYSTEMD, name);
                } else {
                    for (String c : name.split(",")) dirs.putIfAbsent(c, name);
                }
            }
        }
        return new Hierarchies(dirs.containsKey(UNIFIED) ? HYBRID : V1, Map.copyOf(dirs));
    }

    /** The directory of {@code hierarchy} under the root ("" for the root itself), or null when the host does not mount it. */
    public String dir(String hierarchy) {
        return dirs.get(hierarchy);
    }

    public boolean v2() {
        return layout.equals(V2);
    }
}
