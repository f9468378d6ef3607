package io.procsys.fs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open things of a mount by the handle the kernel holds for them (fuse_file_info.fh). */
final class Handles<T> {
    private final ConcurrentHashMap<Long, T> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    long add(T value) {
        long handle = nextHandle.getAndIncrement();
        open.put(handle, value);
        return handle;
    }

    T get(long handle) {
        return open.get(handle);
    }

    T remove(long handle) {
        return open.remove(handle);
    }

    int size() {
        return open.size();
    }
}
