package io.procsys.fs.cluster;

import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;
import io.procsys.scope.ScopedHost;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This host under a scope (docs/scope.md): its tree showing the scope's processes only, and the
 * scope's own meminfo, stat, ... rendered here as an agent renders them for a remote host (the
 * same {@link ScopedHost}), or the errno that leaves this host out of them.
 */
final class ScopedLocal implements Backend {
    private final LocalBackend tree;
    private final ScopedHost scope;

    ScopedLocal(String name, ExportedTree tree, ScopedHost scope) {
        this.tree = new LocalBackend(name, tree.showing(scope));
        this.scope = scope;
    }

    ScopedHost scope() {
        return scope;
    }

    @Override
    public String name() {
        return tree.name();
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        return tree.stat(path);
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return tree.list(path);
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return tree.readlink(path);
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        if (!ScopedHost.renders(path)) return tree.read(path);
        try {
            return CompletableFuture.completedFuture(Contents.of(scope.render(path)));
        } catch (ErrnoException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) { // a cgroup file of an unexpected form: this host is left out of the file, said in the log
            System.getLogger("io.procsys.fs.cluster").log(System.Logger.Level.WARNING, "scoped " + path + " of " + name() + ": " + e);
            return CompletableFuture.failedFuture(new ErrnoException(Errno.EIO, "scoped " + path + ": " + e));
        }
    }
}
