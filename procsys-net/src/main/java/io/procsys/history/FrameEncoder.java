package io.procsys.history;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;

import static io.procsys.history.FrameFormat.*;

/**
 * Encodes the frames of one segment, each against the one before ({@link FrameFormat}). Not
 * thread-safe. {@link #key} starts a new segment.
 */
final class FrameEncoder {
    private Dictionary<Template> templates;
    private Dictionary<String> paths;
    private Dictionary<String> names;
    private Frame previous;

    FrameEncoder() {
        reset();
    }

    private void reset() {
        templates = new Dictionary<>(MAX_TEMPLATES);
        paths = new Dictionary<>(MAX_NAMES);
        names = new Dictionary<>(MAX_NAMES);
        previous = Frame.EMPTY;
    }

    /** Whether the next frame must be a key frame: a dictionary is close to its bound. */
    boolean needsKey() {
        return templates.size() > MAX_TEMPLATES / 2 || paths.size() > MAX_NAMES / 2 || names.size() > MAX_NAMES / 2;
    }

    /** {@code frame} as a key frame: it starts a segment. */
    void key(Frame frame, Output out) {
        reset();
        encode(frame, out, KEY);
    }

    /** {@code frame} as the change from the frame encoded before it. */
    void delta(Frame frame, Output out) {
        encode(frame, out, DELTA);
    }

    private void encode(Frame frame, Output out, int kind) {
        out.u8(kind);
        if (kind == KEY) out.varint(frame.timeMillis());
        else out.signed(frame.timeMillis() - previous.timeMillis());
        out.varint(frame.intervalMillis()).varint(Math.max(0, frame.buildMicros()));
        writeFiles(frame.files(), previous.files(), out);
        writeTasks(frame.tasks(), previous.tasks(), out);
        previous = frame;
    }

    private void writeFiles(SortedMap<String, Item> now, SortedMap<String, Item> before, Output out) {
        int countAt = out.size();
        Output changes = new Output(256);
        int n = 0;
        for (Map.Entry<String, Item> e : now.entrySet()) {
            Item old = before.get(e.getKey());
            if (e.getValue().same(old)) continue;
            paths.write(changes, e.getKey(), Output::string);
            writeItem(e.getValue(), old, changes);
            n++;
        }
        for (String gone : before.keySet()) {
            if (now.containsKey(gone)) continue;
            paths.write(changes, gone, Output::string);
            changes.u8(REMOVED);
            n++;
        }
        out.varint(n).bytes(changes.array(), 0, changes.size());
    }

    private void writeTasks(SortedMap<Integer, Task> now, SortedMap<Integer, Task> before, Output out) {
        Output gone = new Output(64), added = new Output(1024), changed = new Output(1024);
        int goneCount = 0, addedCount = 0, changedCount = 0;
        int lastGone = 0, lastAdded = 0, lastChanged = 0;
        for (Task old : before.values()) {
            if (old.sameTask(now.get(old.id()))) continue;
            gone.varint(old.id() - lastGone);
            lastGone = old.id();
            goneCount++;
        }
        // added first, then changed, each in one pass: dictionary entries are defined in the order a decoder meets them
        for (Task task : now.values()) {
            if (task.sameTask(before.get(task.id()))) continue;
            added.varint(task.id() - lastAdded).varint(task.owner()).varint(task.startTime() + 1);
            writeItems(task.items(), Map.of(), added);
            lastAdded = task.id();
            addedCount++;
        }
        for (Task task : now.values()) {
            Task old = before.get(task.id());
            if (!task.sameTask(old) || task.items().equals(old.items())) continue;
            changed.varint(task.id() - lastChanged);
            writeItems(task.items(), old.items(), changed);
            lastChanged = task.id();
            changedCount++;
        }
        out.varint(goneCount).bytes(gone.array(), 0, gone.size());
        out.varint(addedCount).bytes(added.array(), 0, added.size());
        out.varint(changedCount).bytes(changed.array(), 0, changed.size());
    }

    /** The items of {@code now} that differ from {@code before}, and those {@code before} had that are gone. */
    private void writeItems(Map<String, Item> now, Map<String, Item> before, Output out) {
        Output items = new Output(128);
        int n = 0;
        for (Iterator<String> it = sortedKeys(now); it.hasNext(); ) {
            String name = it.next();
            Item item = now.get(name), old = before.get(name);
            if (item.same(old)) continue;
            names.write(items, name, Output::string);
            writeItem(item, old, items);
            n++;
        }
        for (Iterator<String> it = sortedKeys(before); it.hasNext(); ) {
            String name = it.next();
            if (now.containsKey(name)) continue;
            names.write(items, name, Output::string);
            items.u8(REMOVED);
            n++;
        }
        out.varint(n).bytes(items.array(), 0, items.size());
    }

    /** Map.copyOf has no order: names in sorted order, so equal frames encode to equal bytes. */
    private static Iterator<String> sortedKeys(Map<String, Item> items) {
        String[] keys = items.keySet().toArray(String[]::new);
        Arrays.sort(keys);
        return Arrays.asList(keys).iterator();
    }

    private void writeItem(Item item, Item old, Output out) {
        if (item.failed()) {
            out.u8(ERROR).varint(item.errno());
            return;
        }
        boolean comparable = old != null && !old.failed();
        if (comparable && old.kind() == item.kind() && old.template().equals(item.template())) {
            out.u8(SAME_TEMPLATE);
            writeChanges(old.values(), item.values(), out);
            return;
        }
        out.u8(item.kind() == Item.Kind.FILE ? FILE : LINK);
        templates.write(out, item.template(), (o, t) -> t.writeTo(o));
        if (comparable && old.values().length == item.values().length) {
            out.u8(1);
            writeChanges(old.values(), item.values(), out);
        } else {
            out.u8(0);
            for (long v : item.values()) out.varint(v);
        }
    }

    private static void writeChanges(long[] old, long[] now, Output out) {
        int n = 0;
        for (int i = 0; i < now.length; i++) if (now[i] != old[i]) n++;
        out.varint(n);
        int last = 0;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == old[i]) continue;
            out.varint(i - last).signed(now[i] - old[i]);
            last = i;
        }
    }
}
