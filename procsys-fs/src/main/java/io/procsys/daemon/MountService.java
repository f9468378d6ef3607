package io.procsys.daemon;

import io.procsys.fs.ProcMirror;
import io.procsys.fs.access.UserLimits;
import io.procsys.fs.cluster.Cluster;
import io.procsys.fs.cluster.ClusterFs;
import io.procsys.fuse.Fuse;
import io.procsys.fuse.FuseException;
import io.procsys.fuse.FuseFilesystem;
import io.procsys.fuse.FuseSession;
import io.procsys.metrics.Metrics;
import io.procsys.tree.ProcTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A proc tree mounted with FUSE: the checks before, the session, and a clean stop. */
public final class MountService implements AutoCloseable {
    /**
     * Options every procsys mount gets. ro: the kernel refuses every change with EROFS before it
     * reaches the daemon. auto_unmount: a killed daemon leaves no dead mount behind.
     */
    static final List<String> BASE_OPTIONS = List.of("ro", "fsname=procsys", "subtype=procsys", "auto_unmount");
    public static final int DEFAULT_THREADS = 8;

    private final ProcTree tree;
    private final ProcMirror mirror;
    private final FuseSession session;
    private final Cluster cluster;
    /** The namespace exec runs commands in on this cluster view (null: a mirror, or it could not be made). */
    private final StandInNetwork network;
    private boolean closed;
    private final java.util.List<AutoCloseable> besides = new java.util.ArrayList<>();

    private MountService(ProcTree tree, ProcMirror mirror, FuseSession session, Cluster cluster, StandInNetwork network) {
        this.tree = tree;
        this.mirror = mirror;
        this.session = session;
        this.cluster = cluster;
        this.network = network;
    }

    /** Checks everything a user can get wrong, then mounts. Throws UserError with a one-line reason. */
    public static MountService mount(Path procRoot, Path mountpoint, List<String> extraOptions) {
        return mount(procRoot, mountpoint, extraOptions, null);
    }

    /**
     * As {@link #mount(Path, Path, List)}; with a {@code cluster} (which this service then owns
     * and closes) the mount also serves hosts/ for this host and every peer.
     */
    public static MountService mount(Path procRoot, Path mountpoint, List<String> extraOptions, Cluster cluster) {
        return mount(procRoot, mountpoint, extraOptions, cluster, Metrics.OFF);
    }

    /**
     * As {@link #mount(Path, Path, List, Cluster)}, telling {@code metrics} of every FUSE request
     * and exporting the cluster's peers and combined files to it ({@link Metrics#OFF}: nothing).
     */
    public static MountService mount(Path procRoot, Path mountpoint, List<String> extraOptions, Cluster cluster, Metrics metrics) {
        return mount(procRoot, mountpoint, extraOptions, cluster, metrics, new UserLimits(UserLimits.Limits.DEFAULT));
    }

    /** As above, holding every local user but root to {@code limits} (docs/security.md, "Bounds"). */
    public static MountService mount(Path procRoot, Path mountpoint, List<String> extraOptions, Cluster cluster, Metrics metrics,
                                     UserLimits limits) {
        Path target = mountpoint.toAbsolutePath().normalize();
        checkMountpoint(target);
        try {
            Fuse.requireLibrary();
            Fuse.requireDevice();
        } catch (FuseException e) {
            throw new UserError(e.getMessage());
        }
        ProcTree tree;
        try {
            tree = ProcTree.open(procRoot);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        List<String> options = new ArrayList<>(BASE_OPTIONS);
        options.addAll(extraOptions);
        // other users may read the mount only under /proc's own modes, checked by the kernel
        if (options.contains("allow_other") && !options.contains("default_permissions")) options.add("default_permissions");
        ClusterFs clusterFs = cluster == null ? null : cluster.filesystem(tree, limits);
        ProcMirror mirror = clusterFs == null ? new ProcMirror(tree, limits) : clusterFs.local();
        FuseFilesystem fs = clusterFs == null ? mirror : clusterFs;
        try {
            FuseSession session = FuseSession.mount(fs, target, options, metrics.fuseOperations());
            MountService service = new MountService(tree, mirror, session, cluster, cluster == null ? null : standInNetwork(target, cluster));
            if (cluster != null) cluster.exportTo(metrics);
            return service;
        } catch (FuseException e) {
            tree.close();
            if (cluster != null) cluster.close();
            throw new UserError(e.getMessage());
        }
    }

    /**
     * The stand-in network of a cluster view, for exec (README "Several hosts"); without root, or
     * where it cannot be made, exec keeps commands in this host's network, and this says why.
     */
    private static StandInNetwork standInNetwork(Path mountpoint, Cluster cluster) {
        if (!Users.isRoot()) return null;
        try {
            return StandInNetwork.start(mountpoint, () -> cluster.combinedText("net/dev"), cluster::membership);
        } catch (IOException e) {
            System.err.println("procsys: no stand-in network for procsys exec (commands will use this host's): " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static void checkMountpoint(Path target) {
        if (!Files.exists(target)) {
            throw new UserError("mount point " + target + " does not exist (create it: mkdir -p " + target + ")");
        }
        if (!Files.isDirectory(target)) {
            throw new UserError("mount point " + target + " is not a directory");
        }
        if (Mounts.isMountPoint(target)) {
            throw new UserError("mount point " + target + " is busy: something is already mounted there"
                    + (Mounts.isProcsysMount(target) ? " (a procsys mount: procsys umount " + target + ")" : ""));
        }
        if (!Users.isRoot() && !Files.isWritable(target)) {
            throw new UserError("no permission to mount on " + target + ": it must be writable by you, or run as root");
        }
    }

    public ProcMirror mirror() {
        return mirror;
    }

    public FuseSession session() {
        return session;
    }

    public Path mountpoint() {
        return session.mountpoint();
    }

    public void serveInBackground(int threads) {
        session.loopInBackground(threads);
    }

    /** The peers' connections, when this mount combines hosts. */
    public Cluster cluster() {
        return cluster;
    }

    /** Closes {@code resource} (an endpoint beside the mount) first when this mount closes. */
    public synchronized void closeFirst(AutoCloseable resource) {
        besides.add(resource);
    }

    /** Unmounts and releases everything; idempotent, and safe from a signal's thread and the main thread at once. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (AutoCloseable resource : besides) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("procsys: closing " + resource + ": " + e);
            }
        }
        if (network != null) network.close();
        if (session.stop(2_000)) tree.close();
        if (cluster != null) cluster.close();
    }
}
