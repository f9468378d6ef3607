package io.procsys.fs.cluster;

import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A host below a tree node, reached through the node: its files are hosts/NAME/... (a level
 * further, hosts/mid/hosts/leaf/...) of the node's view, its name the path (node/NAME). Its
 * process table comes in the node's bundle (HostsBelow); what the table does not answer goes
 * through the node, which forwards it as any read of its view.
 */
final class HostBelow implements Backend {
    private final Peer node;
    /** The host's directory in the node's view, with a trailing slash. */
    private final String prefix;
    private final String name;
    private final TableErrors tableErrors;

    /** {@code path}: the host's directory in the node's view (hosts/NAME, ...). */
    HostBelow(Peer node, String path) {
        this.node = node;
        this.prefix = path + "/";
        this.name = nameOf(node.name(), path);
        this.tableErrors = new TableErrors(name, System::nanoTime);
    }

    /** node/NAME for hosts/NAME of the node's view, node/mid/leaf a level further down. */
    static String nameOf(String node, String path) {
        return node + "/" + path.replace("hosts/", "");
    }

    @Override
    public String name() {
        return name;
    }

    private String at(String path) {
        return path.isEmpty() ? prefix.substring(0, prefix.length() - 1) : prefix + path;
    }

    @Override
    public CompletableFuture<FileAttributes> stat(String path) {
        return node.stat(at(path));
    }

    @Override
    public CompletableFuture<List<ExportedTree.Entry>> list(String path) {
        return node.list(at(path));
    }

    @Override
    public CompletableFuture<String> readlink(String path) {
        return node.readlink(at(path));
    }

    @Override
    public CompletableFuture<Content> read(String path) {
        return node.read(at(path));
    }

    /** The node's: a host below it is reached on the node's connection. */
    @Override
    public long connections() {
        return node.connections();
    }

    /** Logged under this host's name (once a minute), counted and shown on the node's line of `procsys status`. */
    @Override
    public void tableError(String why) {
        tableErrors.record(why);
        node.tableErrorBelow(name + ": " + why);
    }

    /** Late when its node is: everything of it goes through the node. */
    @Override
    public boolean late() {
        return node.late();
    }

    /** The node this host is reached through. */
    Peer node() {
        return node;
    }
}
