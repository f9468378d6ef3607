package io.procsys.fs.cluster;

import io.procsys.posix.ErrnoException;
import io.procsys.tree.ExportPolicy;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;
import io.procsys.tree.WholeFile;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This host under hosts/: answered by the same {@link ExportedTree} requests an agent answers
 * (so every host in hosts/ looks alike), at once in the calling thread.
 */
public final class LocalBackend implements Backend {
    private final String name;
    private final ExportedTree tree;

    public LocalBackend(String name, ExportedTree tree) {
        this.name = name;
        this.tree = tree;
    }

    @Override
    public String name() {
        return name;
    }

    private static <T> CompletableFuture<T> answered(ExportedTree.Answer<T> answer) {
        return answer.ok() ? CompletableFuture.completedFuture(answer.value()) : failed(answer.errno());
    }

    private static <T> CompletableFuture<T> failed(int errno) {
        return CompletableFuture.failedFuture(new ErrnoException(errno, "local"));
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        return answered(tree.attributes(path));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return answered(tree.entries(path));
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return answered(tree.linkText(path));
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        WholeFile.Buffer file = new WholeFile.Buffer(ExportPolicy.MAX_FILE);
        int errno = tree.readWhole(path, file);
        if (errno != 0) {
            file.free();
            return failed(errno);
        }
        return CompletableFuture.completedFuture(new Contents.Malloced(file.written()));
    }
}
