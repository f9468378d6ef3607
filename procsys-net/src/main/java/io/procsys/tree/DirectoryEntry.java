package io.procsys.tree;

import java.lang.foreign.MemorySegment;

/** A name listed in a directory, with what a readdir reply tells of it. */
public interface DirectoryEntry {
    String name();

    /** Writes what is known of the entry (at least its inode and type bits) into a zeroed-out {@code struct stat}. */
    void writeTo(MemorySegment st);
}
