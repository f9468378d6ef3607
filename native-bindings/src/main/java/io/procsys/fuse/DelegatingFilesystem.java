package io.procsys.fuse;

/**
 * A filesystem that passes every operation to another one: a layer overrides the operations it
 * answers differently and inherits the rest (as the cluster mount does over the local mirror).
 */
public abstract class DelegatingFilesystem implements FuseFilesystem {
    private final FuseFilesystem delegate;

    protected DelegatingFilesystem(FuseFilesystem delegate) {
        this.delegate = delegate;
    }

    @Override
    public void init(ConnectionInfo connection) {
        delegate.init(connection);
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public void lookup(Request req, long parent, String name) {
        delegate.lookup(req, parent, name);
    }

    @Override
    public void forget(Request req, long node, long lookups) {
        delegate.forget(req, node, lookups);
    }

    @Override
    public void getattr(Request req, long node) {
        delegate.getattr(req, node);
    }

    @Override
    public void readlink(Request req, long node) {
        delegate.readlink(req, node);
    }

    @Override
    public void open(Request req, long node, FileInfo fileInfo) {
        delegate.open(req, node, fileInfo);
    }

    @Override
    public void read(Request req, long node, long size, long offset, FileInfo fileInfo) {
        delegate.read(req, node, size, offset, fileInfo);
    }

    @Override
    public void release(Request req, long node, FileInfo fileInfo) {
        delegate.release(req, node, fileInfo);
    }

    @Override
    public void opendir(Request req, long node, FileInfo fileInfo) {
        delegate.opendir(req, node, fileInfo);
    }

    @Override
    public void readdir(Request req, long node, long size, long offset, FileInfo fileInfo) {
        delegate.readdir(req, node, size, offset, fileInfo);
    }

    @Override
    public void readdirplus(Request req, long node, long size, long offset, FileInfo fileInfo) {
        delegate.readdirplus(req, node, size, offset, fileInfo);
    }

    @Override
    public void releasedir(Request req, long node, FileInfo fileInfo) {
        delegate.releasedir(req, node, fileInfo);
    }

    @Override
    public void statfs(Request req, long node) {
        delegate.statfs(req, node);
    }

    @Override
    public void poll(Request req, long node, FileInfo fileInfo, PollHandle waiter) {
        delegate.poll(req, node, fileInfo, waiter);
    }

    @Override
    public void modify(Request req, String operation) {
        delegate.modify(req, operation);
    }
}
