package io.procsys.scope;

import java.util.List;

/**
 * The cgroup filesystems as the scope reads them: small files whole and the child cgroups of a
 * cgroup, by paths relative to the cgroup root ({@link CgroupTree#join}). {@link CgroupTree} reads
 * a real (or captured) root; tests and the fuzz target give files from memory.
 */
public interface CgroupFiles {
    /** The text of file {@code rel}, or null when it is absent or cannot be read. */
    String read(String rel);

    /** The child cgroups of directory {@code rel}, or null when it is no directory. */
    List<String> children(String rel);

    /** Whether directory {@code rel} exists (a cgroup). */
    default boolean exists(String rel) {
        return children(rel) != null;
    }
}
