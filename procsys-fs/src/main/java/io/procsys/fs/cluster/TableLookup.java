package io.procsys.fs.cluster;

import io.procsys.fs.NodeKind;
import io.procsys.net.protocol.ProcessTable;
import io.procsys.net.protocol.ProcessTableFormat;
import io.procsys.posix.Errno;
import io.procsys.tree.ExportedTree;

/** What a host's process table says of a path of its tree (TableBackend answers from it, or asks the agent). */
final class TableLookup {
    private TableLookup() {}

    /** Where a path of the host's tree falls in a table: its pid, and the path inside the pid directory. */
    record InProcess(int pid, String rest) {
        static InProcess of(String path) {
            int slash = path.indexOf('/');
            String first = slash < 0 ? path : path.substring(0, slash);
            if (first.length() > 7 || !NodeKind.isPid(first)) return null; // "03" or non-ASCII digits are no pid, as in /proc
            int pid = Integer.parseInt(first);
            return pid <= 0 || pid >= ProcessTableFormat.PID_LIMIT ? null : new InProcess(pid, slash < 0 ? "" : path.substring(slash + 1));
        }

        /** A file of one thread (task/TID/NAME): what top -H and htop read. */
        boolean isThreadFile() {
            return rest.startsWith("task/") && rest.indexOf('/', 5) > 0;
        }

        String parent() {
            int slash = rest.lastIndexOf('/');
            return slash < 0 ? "" : rest.substring(0, slash);
        }

        String name() {
            return rest.substring(rest.lastIndexOf('/') + 1);
        }
    }

    /**
     * What the table says of {@code path}: its item, or ABSENT when the table proves the name does
     * not exist, or null when the table does not know (ask the agent).
     */
    private static final ProcessTable.Item ABSENT = new ProcessTable.Item(Errno.ENOENT, null, -1, 0, null, null);

    static ProcessTable.Item lookup(ProcessTable t, String path) {
        InProcess at = InProcess.of(path);
        if (at == null) return null;
        if (!t.hasProcess(at.pid)) {
            // not listed at the root: exited, or a thread id (hidden from the listing, yet reachable)
            int owner = t.processOf(at.pid);
            boolean threadId = owner >= 0 && owner != at.pid; // its /proc/TID is not listed but exists
            return !t.lists(Integer.toString(at.pid)) && !t.truncated() && !threadId ? ABSENT : null;
        }
        ProcessTable.Item item = t.find(at.pid, at.rest);
        if (item != null || at.rest.isEmpty()) return item;
        String parent = at.parent();
        // no names: the agent could not vouch for them (a captured tree)
        if (parent.isEmpty()) return t.processNames().isEmpty() || t.processNames().contains(at.name()) ? null : ABSENT;
        ProcessTable.Item dir = t.find(at.pid, parent);
        if (dir != null && dir.listing() != null) {
            for (ExportedTree.Entry e : dir.listing()) {
                if (e.name().equals(at.name())) return e.attributes() == null ? null : new ProcessTable.Item(0, e.attributes(), -1, 0, null, null);
            }
            return ABSENT;
        }
        // task/TID/NAME: a thread the table lists, a name thread directories lack
        String[] parts = at.rest.split("/");
        if (parts.length == 3 && parts[0].equals("task") && NodeKind.isPid(parts[1]) && parts[1].length() <= 7
                && t.processOf(Integer.parseInt(parts[1])) == at.pid) {
            return t.threadNames().isEmpty() || t.threadNames().contains(parts[2]) ? null : ABSENT;
        }
        return null;
    }
}
