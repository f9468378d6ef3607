package io.procsys.tree;

import io.procsys.fuse.Stat;
import io.procsys.fuse.bindings.stat;
import io.procsys.fuse.bindings.timespec;

import java.lang.foreign.MemorySegment;

/** The attributes of a file that travel between hosts (a struct stat, less what only makes sense locally). */
public record FileAttributes(int mode, int uid, int gid, long nlink, long size, long inode,
                             long atimeSeconds, long mtimeSeconds, long ctimeSeconds) {

    public static FileAttributes of(MemorySegment st) {
        return new FileAttributes(Stat.mode(st), Stat.uid(st), Stat.gid(st), stat.st_nlink(st), Stat.size(st),
                Stat.inode(st), timespec.tv_sec(stat.st_atim(st)), timespec.tv_sec(stat.st_mtim(st)),
                timespec.tv_sec(stat.st_ctim(st)));
    }

    /** Writes these attributes into a struct stat (zeroing what they do not carry). */
    public void writeTo(MemorySegment st) {
        st.fill((byte) 0);
        stat.st_mode(st, mode);
        stat.st_uid(st, uid);
        stat.st_gid(st, gid);
        stat.st_nlink(st, nlink);
        stat.st_size(st, size);
        stat.st_ino(st, inode);
        stat.st_blksize(st, 4096);
        timespec.tv_sec(stat.st_atim(st), atimeSeconds);
        timespec.tv_sec(stat.st_mtim(st), mtimeSeconds);
        timespec.tv_sec(stat.st_ctim(st), ctimeSeconds);
    }
}
