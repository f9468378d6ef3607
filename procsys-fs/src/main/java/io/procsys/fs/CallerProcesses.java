package io.procsys.fs;

import io.procsys.tree.ProcTree;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which process a calling thread belongs to, for self and thread-self. The kernel reports the
 * calling thread's id; its process id is the Tgid of /proc/[tid]/status. That read is cached:
 * a cached tid→tgid is trusted only while "[tgid]/task/[tid]" exists, which is exactly "tid is
 * a thread of tgid now", so a reused thread id is never answered with its old process.
 */
final class CallerProcesses {
    private static final int MAX_ENTRIES = 4096;

    private final ProcTree tree;
    private final ConcurrentHashMap<Integer, Integer> tgidByTid = new ConcurrentHashMap<>();

    CallerProcesses(ProcTree tree) {
        this.tree = tree;
    }

    /** The process id of thread {@code tid}, or -errno; {@code stat} is scratch space for one struct stat. */
    int processOf(int tid, MemorySegment stat) {
        Integer cached = tgidByTid.get(tid);
        if (cached != null && tree.stat(ProcTree.cPath(cached + "/task/" + tid), stat) == 0) {
            return cached;
        }
        int tgid = tree.threadGroupOf(tid);
        if (tgid > 0) {
            if (tgidByTid.size() >= MAX_ENTRIES) tgidByTid.clear();
            tgidByTid.put(tid, tgid);
        }
        return tgid;
    }
}
