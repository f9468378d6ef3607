package io.procsys.fuse;

/** Who made a request: the caller's ids as the kernel reports them (pid is the calling thread's id). */
public record RequestContext(int uid, int gid, int pid, int umask) {}
