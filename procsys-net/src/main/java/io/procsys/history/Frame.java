package io.procsys.history;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One host at one moment: its system files (stat, meminfo, ...) by path, and its processes and
 * threads by id. {@code timeMillis} is the host's wall clock when the frame was taken,
 * {@code intervalMillis} the recording's interval, {@code buildMicros} what taking it cost.
 * Immutable; frames decoded one after another share what did not change.
 */
public record Frame(long timeMillis, long intervalMillis, long buildMicros, SortedMap<String, Item> files, SortedMap<Integer, Task> tasks) {
    public static final Frame EMPTY = new Frame(0, 0, 0, new TreeMap<>(), new TreeMap<>());

    public Frame {
        files = Collections.unmodifiableSortedMap(files instanceof TreeMap<String, Item> t ? t : new TreeMap<>(files));
        tasks = Collections.unmodifiableSortedMap(tasks instanceof TreeMap<Integer, Task> t ? t : new TreeMap<>(tasks));
    }

    public static Frame of(long timeMillis, long intervalMillis, long buildMicros, Map<String, Item> files, Map<Integer, Task> tasks) {
        return new Frame(timeMillis, intervalMillis, buildMicros, new TreeMap<>(files), new TreeMap<>(tasks));
    }

    public Item file(String path) {
        return files.get(path);
    }

    public Task task(int id) {
        return tasks.get(id);
    }
}
