package io.procsys.tree;

import io.procsys.posix.Stat;

import java.lang.foreign.MemorySegment;

/** The attributes of a file that travel between hosts (a struct stat, less what only makes sense locally). */
public record FileAttributes(int mode, int uid, int gid, long nlink, long size, long inode,
                             long atimeSeconds, long mtimeSeconds, long ctimeSeconds) {

    public static FileAttributes of(MemorySegment st) {
        return new FileAttributes(Stat.mode(st), Stat.uid(st), Stat.gid(st), Stat.nlink(st), Stat.size(st),
                Stat.inode(st), Stat.atimeSeconds(st), Stat.mtimeSeconds(st), Stat.ctimeSeconds(st));
    }

    /** Writes these attributes into a struct stat (zeroing what they do not carry). */
    public void writeTo(MemorySegment st) {
        Stat.write(st, mode, uid, gid, nlink, size, inode, atimeSeconds, mtimeSeconds, ctimeSeconds);
    }
}
