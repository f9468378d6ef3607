package io.procsys.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct stat} of Linux x86_64 (glibc), the fields procsys reads and writes, with the
 * mode bits and readdir types. Written by hand so that code which only touches files (the agent,
 * the trees) does not depend on FUSE's generated structs; StatLayoutTest checks every offset and
 * the size against gcc.
 */
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

    /** The layout of x86_64 glibc's struct stat (timespecs as seconds then nanoseconds). */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            JAVA_LONG.withName("st_atime"), JAVA_LONG.withName("st_atime_nsec"),
            JAVA_LONG.withName("st_mtime"), JAVA_LONG.withName("st_mtime_nsec"),
            JAVA_LONG.withName("st_ctime"), JAVA_LONG.withName("st_ctime_nsec"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("reserved"));
    public static final long SIZE = LAYOUT.byteSize();

    private static final VarHandle INO = field("st_ino");
    private static final VarHandle NLINK = field("st_nlink");
    private static final VarHandle MODE = field("st_mode");
    private static final VarHandle UID = field("st_uid");
    private static final VarHandle GID = field("st_gid");
    private static final VarHandle SIZE_FIELD = field("st_size");
    private static final VarHandle BLKSIZE = field("st_blksize");
    private static final VarHandle ATIME = field("st_atime");
    private static final VarHandle MTIME = field("st_mtime");
    private static final VarHandle CTIME = field("st_ctime");

    private Stat() {}

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** Byte offset of field {@code name} (for the layout test). */
    static long offsetOf(String name) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    public static int mode(MemorySegment st) {
        return (int) MODE.get(st, 0L);
    }

    public static long size(MemorySegment st) {
        return (long) SIZE_FIELD.get(st, 0L);
    }

    public static long inode(MemorySegment st) {
        return (long) INO.get(st, 0L);
    }

    public static int uid(MemorySegment st) {
        return (int) UID.get(st, 0L);
    }

    public static int gid(MemorySegment st) {
        return (int) GID.get(st, 0L);
    }

    public static long nlink(MemorySegment st) {
        return (long) NLINK.get(st, 0L);
    }

    public static long atimeSeconds(MemorySegment st) {
        return (long) ATIME.get(st, 0L);
    }

    public static long mtimeSeconds(MemorySegment st) {
        return (long) MTIME.get(st, 0L);
    }

    public static long ctimeSeconds(MemorySegment st) {
        return (long) CTIME.get(st, 0L);
    }

    /** Zeroes {@code st}, then sets the fields a directory entry or a remote file carries. */
    public static void write(MemorySegment st, int mode, int uid, int gid, long nlink, long size, long inode,
                             long atimeSeconds, long mtimeSeconds, long ctimeSeconds) {
        st.asSlice(0, SIZE).fill((byte) 0);
        MODE.set(st, 0L, mode);
        UID.set(st, 0L, uid);
        GID.set(st, 0L, gid);
        NLINK.set(st, 0L, nlink);
        SIZE_FIELD.set(st, 0L, size);
        INO.set(st, 0L, inode);
        BLKSIZE.set(st, 0L, 4096L);
        ATIME.set(st, 0L, atimeSeconds);
        MTIME.set(st, 0L, mtimeSeconds);
        CTIME.set(st, 0L, ctimeSeconds);
    }

    /** Zeroes {@code st} but for the inode and the type bits: what readdir knows of an entry. */
    public static void writeDirectoryEntry(MemorySegment st, long inode, int direntType) {
        st.asSlice(0, SIZE).fill((byte) 0);
        INO.set(st, 0L, inode);
        MODE.set(st, 0L, modeOfDirentType(direntType));
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
