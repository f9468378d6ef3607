package io.procsys.scope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The processes and threads of a scope's cgroups and of every cgroup below them, as their
 * {@code cgroup.procs} and {@code cgroup.threads} (v1: {@code tasks}) list them now: one read per
 * cgroup, no per-process read. Ids are as the reader's pid namespace sees them (the agent's).
 */
public record Members(int[] pids, int[] tids) {
    /** Most cgroups read, and most ids kept, for one scope. */
    static final int MAX_CGROUPS = 20_000, MAX_IDS = 1 << 20;
    public static final Members NONE = new Members(new int[0], new int[0]);

    public boolean hasProcess(int pid) {
        return Arrays.binarySearch(pids, pid) >= 0;
    }

    /** A process or a thread of the scope (a thread id is looked up as /proc shows it, hidden from the listing). */
    public boolean has(int id) {
        return hasProcess(id) || Arrays.binarySearch(tids, id) >= 0;
    }

    /** The members of {@code targets} now. */
    static Members of(CgroupFiles tree, Hierarchies hierarchies, List<ScopeResolver.Target> targets) {
        IdList pids = new IdList(), tids = new IdList();
        int cgroups = 0;
        for (ScopeResolver.Target t : targets) {
            String dir = hierarchies.dir(t.hierarchy());
            if (dir == null) continue;
            String threads = t.hierarchy().equals(Hierarchies.UNIFIED) ? "cgroup.threads" : "tasks";
            List<String> stack = new ArrayList<>(List.of(CgroupTree.join(dir, t.path(), "")));
            while (!stack.isEmpty() && cgroups++ < MAX_CGROUPS) {
                String cgroup = stack.removeLast();
                pids.addAll(tree.read(cgroup + "/cgroup.procs"));
                tids.addAll(tree.read(cgroup + "/" + threads));
                List<String> children = tree.children(cgroup);
                if (children != null) for (String c : children) stack.add(cgroup + "/" + c);
            }
        }
        return new Members(pids.sorted(), tids.sorted());
    }

    /** Ids parsed from files of one id a line, bounded by {@link #MAX_IDS}. */
    private static final class IdList {
        private int[] ids = new int[64];
        private int size;

        void addAll(String text) {
            if (text == null) return;
            int value = -1;
            for (int i = 0; i <= text.length(); i++) {
                char c = i < text.length() ? text.charAt(i) : '\n';
                if (c >= '0' && c <= '9' && value < 100_000_000) {
                    value = (value < 0 ? 0 : value * 10) + (c - '0');
                } else {
                    if (value > 0 && size < MAX_IDS) add(value);
                    value = -1;
                }
            }
        }

        private void add(int id) {
            if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
        }

        int[] sorted() {
            return Arrays.stream(ids, 0, size).sorted().distinct().toArray();
        }
    }
}
