package io.procsys.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Frames for tests: a host made of the fixture files, whose counters and processes the tests move. */
final class Frames {
    private Frames() {}

    static final Path FIXTURES = Path.of("src/test/data/history");

    static Map<String, Item> fixtureFiles() throws IOException {
        Map<String, Item> files = new TreeMap<>();
        for (String name : new String[]{"stat", "meminfo", "vmstat", "diskstats", "loadavg", "uptime"}) {
            files.put(name, Item.file(Files.readAllBytes(FIXTURES.resolve(name))));
        }
        files.put("net/dev", Item.file(Files.readAllBytes(FIXTURES.resolve("net-dev"))));
        return files;
    }

    /** A process: its stat with {@code utime}, its status, its owner. */
    static Task process(int pid, long startTime, String comm, long utime) {
        Map<String, Item> items = new HashMap<>();
        items.put("stat", Item.file(stat(pid, comm, utime, startTime)));
        items.put("statm", Item.file("1000 200 100 10 0 300 0\n".getBytes()));
        items.put("attrs", Item.file("1000 1000".getBytes()));
        items.put("cmdline", Item.file((comm + "\0--flag\0").getBytes()));
        items.put("exe", Item.link(("/usr/bin/" + comm).getBytes()));
        items.put("io", Item.error(13));
        return new Task(pid, 0, startTime, items);
    }

    static Task thread(int tid, int owner, long startTime, String comm, long utime) {
        return new Task(tid, owner, startTime, Map.of("stat", Item.file(stat(tid, comm, utime, startTime))));
    }

    static byte[] stat(int pid, String comm, long utime, long startTime) {
        return (pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 " + utime + " 5 0 0 20 0 1 0 " + startTime
                + " 10000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n").getBytes();
    }

    /** {@code files} with {@code path}'s text replaced. */
    static Map<String, Item> with(Map<String, Item> files, String path, String text) {
        Map<String, Item> out = new TreeMap<>(files);
        out.put(path, Item.file(text.getBytes()));
        return out;
    }

    static Frame frame(long millis, Map<String, Item> files, Task... tasks) {
        Map<Integer, Task> byId = new TreeMap<>();
        for (Task t : tasks) byId.put(t.id(), t);
        return Frame.of(millis, 1000, 0, files, byId);
    }

    /** Where two lists of frames first differ ("" when they do not): a readable assertion message. */
    static String firstDifference(java.util.List<Frame> expected, java.util.List<Frame> actual) {
        if (expected.size() != actual.size()) return expected.size() + " frames, not " + actual.size();
        for (int i = 0; i < expected.size(); i++) {
            Frame a = expected.get(i), b = actual.get(i);
            if (a.equals(b)) continue;
            if (a.timeMillis() != b.timeMillis() || a.intervalMillis() != b.intervalMillis() || a.buildMicros() != b.buildMicros()) return "frame " + i + ": header";
            for (String f : a.files().keySet()) if (!a.file(f).equals(b.file(f))) return "frame " + i + " file " + f + ": " + a.file(f) + " / " + b.file(f);
            if (!a.files().keySet().equals(b.files().keySet())) return "frame " + i + ": files " + a.files().keySet() + " / " + b.files().keySet();
            if (!a.tasks().keySet().equals(b.tasks().keySet())) return "frame " + i + ": tasks differ";
            for (Task t : a.tasks().values()) {
                Task u = b.task(t.id());
                if (t.equals(u)) continue;
                if (!t.sameTask(u)) return "frame " + i + " task " + t.id() + ": " + t.owner() + "/" + t.startTime() + " vs " + u.owner() + "/" + u.startTime();
                for (String n : t.items().keySet()) if (!t.item(n).equals(u.item(n))) return "frame " + i + " task " + t.id() + " item " + n + ": " + t.item(n) + " / " + u.item(n);
                return "frame " + i + " task " + t.id() + ": items " + t.items().keySet() + " / " + u.items().keySet();
            }
        }
        return "";
    }
}
