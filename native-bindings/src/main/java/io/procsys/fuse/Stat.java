package io.procsys.fuse;

import io.procsys.fuse.bindings.stat;

import java.lang.foreign.MemorySegment;

/** Helpers over a {@code struct stat} segment (jextract's {@code stat} class has the accessors). */
public final class Stat {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    /** readdir(3) d_type values. */
    public static final int DT_UNKNOWN = 0;
    public static final int DT_DIR = 4;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;

    public static final long SIZE = stat.sizeof();

    private Stat() {}

    public static int mode(MemorySegment st) {
        return stat.st_mode(st);
    }

    public static long size(MemorySegment st) {
        return stat.st_size(st);
    }

    public static long inode(MemorySegment st) {
        return stat.st_ino(st);
    }

    public static int uid(MemorySegment st) {
        return stat.st_uid(st);
    }

    public static int gid(MemorySegment st) {
        return stat.st_gid(st);
    }

    public static boolean isDirectory(int mode) {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public static boolean isSymlink(int mode) {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public static boolean isRegular(int mode) {
        return (mode & S_IFMT) == S_IFREG;
    }

    /** The S_IF* type bits for a readdir d_type (0 when unknown). */
    public static int modeOfDirentType(int dtype) {
        return (dtype & 017) << 12;
    }
}
