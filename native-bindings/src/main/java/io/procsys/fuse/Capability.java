package io.procsys.fuse;

import io.procsys.fuse.bindings.fuse_lowlevel_h;

/** The FUSE_CAP_* flags procsys negotiates in {@link FuseFilesystem#init}, by name. */
public enum Capability {
    /** Directory listings carry each entry's attributes and lookup (fewer round trips for ls -l, ps). */
    READDIRPLUS(fuse_lowlevel_h.FUSE_CAP_READDIRPLUS()),
    /** The kernel chooses between readdir and readdirplus per listing. */
    READDIRPLUS_AUTO(fuse_lowlevel_h.FUSE_CAP_READDIRPLUS_AUTO()),
    /** Lookups and listings of one directory may run at the same time. */
    PARALLEL_DIROPS(fuse_lowlevel_h.FUSE_CAP_PARALLEL_DIROPS()),
    /** The kernel caches symlink texts. */
    CACHE_SYMLINKS(fuse_lowlevel_h.FUSE_CAP_CACHE_SYMLINKS());

    final int mask;

    Capability(int mask) {
        this.mask = mask;
    }
}
