package io.procsys.fs.cluster;

import io.procsys.fs.NodeKind;
import io.procsys.tree.ExportedTree;

import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * What the top level of a view of one scope shows (docs/scope.md): this host's processes that
 * {@code local} lets through, and under hosts/ the hosts {@code hosts} accepts. {@link #ALL}
 * without a scope.
 */
record ScopeShown(ExportedTree.ProcessFilter local, Predicate<Backend> hosts) {
    static final ScopeShown ALL = new ScopeShown(null, b -> true);

    /** Whether this host's listing shows pid {@code pid} (a member now). */
    IntPredicate listed() {
        return local == null ? pid -> true : local.listed();
    }

    /** Whether top-level name {@code name} is a process of this host hidden from its caller (whose own process, {@code callerTgid}, never is). */
    boolean hides(String name, IntSupplier callerTgid) {
        if (local == null || !isPid(name)) return false;
        int pid = Integer.parseInt(name);
        return !local.visible(pid) && callerTgid.getAsInt() != pid;
    }

    /** Whether {@code name} names a pid (and fits an int). */
    static boolean isPid(String name) {
        return NodeKind.isPid(name) && name.length() <= 9;
    }
}
