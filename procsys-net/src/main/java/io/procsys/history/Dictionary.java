package io.procsys.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a segment's frames refer to by number once they have defined it: templates, system file
 * paths, task item names. The encoder and the decoder each keep one, built in the same order, so
 * a reference is a small varint. A segment starts with an empty one (its key frame defines all).
 */
final class Dictionary<T> {
    private final List<T> byId = new ArrayList<>();
    private final Map<T, Integer> ids = new HashMap<>();
    private final int max;

    Dictionary(int max) {
        this.max = max;
    }

    /** Writes {@code value}'s id, or (first use) the next id and then what {@code define} writes. */
    void write(Output out, T value, java.util.function.BiConsumer<Output, T> define) {
        Integer id = ids.get(value);
        if (id != null) {
            out.varint(id);
            return;
        }
        out.varint(byId.size());
        define.accept(out, value);
        add(value);
    }

    /** Reads a reference: a known id, or the next id followed by its definition ({@code define}). */
    T read(Input in, java.util.function.Function<Input, T> define) {
        long id = in.varint();
        if (id < byId.size()) return byId.get((int) id);
        if (id > byId.size()) throw new CorruptHistoryException("reference " + id + " before its definition");
        T value = define.apply(in);
        if (ids.containsKey(value)) throw new CorruptHistoryException("an entry defined twice");
        add(value);
        return value;
    }

    private void add(T value) {
        if (byId.size() >= max) throw new CorruptHistoryException("more than " + max + " dictionary entries in a segment");
        ids.put(value, byId.size());
        byId.add(value);
    }

    int size() {
        return byId.size();
    }
}
