package io.procsys.history;

import java.util.Map;

/**
 * A process ({@code owner} 0) or a thread of process {@code owner}, as one frame holds it: keyed
 * by its id and its start time (field 22 of its stat, clock ticks since boot; -1 unknown), so a
 * pid used again is another task. {@code items} by name: "attrs" (uid and gid of the pid
 * directory), the files a process tool reads ("stat", "statm", ...), "exe" as a link.
 */
public record Task(int id, int owner, long startTime, Map<String, Item> items) {
    public Task {
        items = Map.copyOf(items);
    }

    public boolean isThread() {
        return owner != 0;
    }

    public Item item(String name) {
        return items.get(name);
    }

    /** The same process: id, owner and start time. */
    public boolean sameTask(Task other) {
        return other != null && id == other.id && owner == other.owner && startTime == other.startTime;
    }
}
