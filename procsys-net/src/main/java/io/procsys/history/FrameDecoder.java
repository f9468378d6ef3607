package io.procsys.history;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static io.procsys.history.FrameFormat.*;

/**
 * Decodes the frames of one segment in order, from its key frame on ({@link FrameFormat}),
 * trusting nothing: every count, reference and value is checked, and anything off is a
 * {@link CorruptHistoryException}. Not thread-safe.
 */
final class FrameDecoder {
    private Dictionary<Template> templates;
    private Dictionary<String> paths;
    private Dictionary<String> names;
    private Frame previous;

    /** The next frame of {@code in}; the first must be a key frame. */
    Frame next(Input in) {
        int kind = in.u8();
        if (kind == KEY) {
            templates = new Dictionary<>(MAX_TEMPLATES);
            paths = new Dictionary<>(MAX_NAMES);
            names = new Dictionary<>(MAX_NAMES);
            previous = Frame.EMPTY;
        } else if (kind != DELTA || previous == null) {
            throw new CorruptHistoryException(kind == DELTA ? "a segment that does not start with a key frame" : "frame kind " + kind);
        }
        long time = kind == KEY ? in.varint() : Math.addExact(previous.timeMillis(), in.signed());
        long interval = in.varint();
        long build = in.varint();
        TreeMap<String, Item> files = new TreeMap<>(previous.files());
        readFiles(in, files);
        TreeMap<Integer, Task> tasks = new TreeMap<>(previous.tasks());
        readTasks(in, tasks);
        previous = new Frame(time, interval, build, files, tasks);
        return previous;
    }

    private void readFiles(Input in, Map<String, Item> files) {
        int n = in.count(MAX_FILES);
        for (int i = 0; i < n; i++) {
            String path = paths.read(in, x -> x.string(MAX_NAME));
            Item item = readItem(in, files.get(path));
            if (item == null) files.remove(path);
            else files.put(path, item);
            if (files.size() > MAX_FILES) throw new CorruptHistoryException("more than " + MAX_FILES + " files");
        }
    }

    private void readTasks(Input in, TreeMap<Integer, Task> tasks) {
        int gone = in.count(MAX_TASKS);
        int id = 0;
        for (int i = 0; i < gone; i++) {
            id = nextId(in, id, i);
            if (tasks.remove(id) == null) throw new CorruptHistoryException("task " + id + " gone but never there");
        }
        int added = in.count(MAX_TASKS);
        id = 0;
        for (int i = 0; i < added; i++) {
            id = nextId(in, id, i);
            int owner = in.count(ID_LIMIT - 1);
            long startTime = in.varint() - 1;
            Map<String, Item> items = readItems(in, Map.of());
            if (tasks.putIfAbsent(id, new Task(id, owner, startTime, items)) != null) throw new CorruptHistoryException("task " + id + " added twice");
        }
        int changed = in.count(MAX_TASKS);
        id = 0;
        for (int i = 0; i < changed; i++) {
            id = nextId(in, id, i);
            Task old = tasks.get(id);
            if (old == null) throw new CorruptHistoryException("change of task " + id + " that is not there");
            tasks.put(id, new Task(id, old.owner(), old.startTime(), readItems(in, old.items())));
        }
        if (tasks.size() > MAX_TASKS) throw new CorruptHistoryException("more than " + MAX_TASKS + " tasks");
    }

    /** The next id of an ascending list: the first as it is, each later one more than the one before. */
    private static int nextId(Input in, int last, int index) {
        long gap = in.varint();
        long id = last + gap;
        if ((index > 0 && gap == 0) || id <= 0 || id >= ID_LIMIT) throw new CorruptHistoryException("task id " + id);
        return (int) id;
    }

    private Map<String, Item> readItems(Input in, Map<String, Item> before) {
        int n = in.count(MAX_ITEMS);
        Map<String, Item> items = new HashMap<>(before);
        for (int i = 0; i < n; i++) {
            String name = names.read(in, x -> x.string(MAX_NAME));
            Item item = readItem(in, items.get(name));
            if (item == null) items.remove(name);
            else items.put(name, item);
        }
        if (items.size() > MAX_ITEMS) throw new CorruptHistoryException("more than " + MAX_ITEMS + " items in a task");
        return items;
    }

    /** An item changed from {@code old} (null: none before); null when it is removed. */
    private Item readItem(Input in, Item old) {
        int op = in.u8();
        switch (op) {
            case REMOVED -> {
                if (old == null) throw new CorruptHistoryException("removal of an item that is not there");
                return null;
            }
            case ERROR -> {
                return Item.error(in.count(4095));
            }
            case SAME_TEMPLATE -> {
                if (old == null || old.failed()) throw new CorruptHistoryException("a change of values with no values before");
                return new Item(old.kind(), old.template(), changed(in, old.values()), 0);
            }
            case FILE, LINK -> {
                Template template = templates.read(in, Template::readFrom);
                long[] values;
                int form = in.u8();
                if (form == 1) {
                    if (old == null || old.failed() || old.values().length != template.slots()) {
                        throw new CorruptHistoryException("values changed from none of their count");
                    }
                    values = changed(in, old.values());
                } else if (form == 0) {
                    values = new long[template.slots()];
                    for (int i = 0; i < values.length; i++) values[i] = inRange(in.varint());
                } else {
                    throw new CorruptHistoryException("values form " + form);
                }
                return new Item(op == FILE ? Item.Kind.FILE : Item.Kind.LINK, template, values, 0);
            }
            default -> throw new CorruptHistoryException("item change " + op);
        }
    }

    /** A slot holds at most {@link Template#MAX_DIGITS} digits (a sum that wrapped is negative). */
    private static long inRange(long v) {
        if (v < 0 || v >= 1_000_000_000_000_000_000L) throw new CorruptHistoryException("value " + v + " out of range");
        return v;
    }

    private static long[] changed(Input in, long[] old) {
        long[] values = old.clone();
        int n = in.count(old.length);
        int slot = 0;
        for (int i = 0; i < n; i++) {
            long gap = in.varint();
            if ((i > 0 && gap == 0) || slot + gap >= old.length) throw new CorruptHistoryException("slot past the template");
            slot += (int) gap;
            values[slot] = inRange(values[slot] + in.signed());
        }
        return values;
    }
}
