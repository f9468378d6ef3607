package io.procsys.fs.cluster;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.LinkedHashSet;

/**
 * One state of the {@code .sys} directory: its files (path → content), links (path → target)
 * and directories (path → child names, in order), paths relative to {@code .sys} ("" is it).
 * Built once from the combined files and this host's /sys, then only read.
 */
final class SysViewTree {
    /** What a path is. */
    enum Kind { FILE, DIRECTORY, LINK }

    private final Map<String, String> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, SequencedSet<String>> directories = new HashMap<>();

    SysViewTree() {
        directories.put("", new LinkedHashSet<>());
    }

    /** Adds the files of {@code contents} (relative paths) under directory {@code dir}, with the directories between. */
    void addFiles(String dir, SequencedMap<String, String> contents) {
        directory(dir);
        for (var file : contents.entrySet()) addFile(dir + "/" + file.getKey(), file.getValue());
    }

    /** Adds a file at {@code path}, with the directories above it. */
    void addFile(String path, String content) {
        files.put(path, content);
        addToParent(path);
    }

    /** Adds a link at {@code path} to {@code target}, unless something is there already (the view's own entries win). */
    void addLink(String path, String target) {
        if (kind(path) != null) return;
        links.put(path, target);
        addToParent(path);
    }

    /** Makes {@code path} a directory (and its parents). */
    void directory(String path) {
        if (directories.containsKey(path)) return;
        directories.put(path, new LinkedHashSet<>());
        addToParent(path);
    }

    private void addToParent(String path) {
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash);
        directory(parent);
        directories.get(parent).add(path.substring(slash + 1));
    }

    /** What {@code path} is, or null when the view has no such path. */
    Kind kind(String path) {
        if (directories.containsKey(path)) return Kind.DIRECTORY;
        if (files.containsKey(path)) return Kind.FILE;
        return links.containsKey(path) ? Kind.LINK : null;
    }

    String file(String path) {
        return files.get(path);
    }

    String link(String path) {
        return links.get(path);
    }

    /** The names in directory {@code path}, in the order they were added (null: not a directory). */
    SequencedSet<String> children(String path) {
        SequencedSet<String> names = directories.get(path);
        return names == null ? null : Collections.unmodifiableSequencedSet(names);
    }
}
