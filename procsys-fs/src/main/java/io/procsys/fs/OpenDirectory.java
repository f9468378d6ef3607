package io.procsys.fs;

import io.procsys.fuse.DirectoryBuffer;
import io.procsys.tree.DirectoryEntry;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A directory as listed at opendir, served in pieces by readdir (the same listing for the whole handle). */
public record OpenDirectory(List<? extends DirectoryEntry> entries) {

    /** Adds entry {@code index} for readdir (its name, inode and type; {@code st} is scratch); false when it does not fit. */
    boolean addTo(DirectoryBuffer out, int index, MemorySegment st) {
        DirectoryEntry e = entries.get(index);
        e.writeTo(st);
        return out.add(e.name(), st, index + 1);
    }
}
