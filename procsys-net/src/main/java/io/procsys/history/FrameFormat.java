package io.procsys.history;

/**
 * How frames are encoded, in a segment that begins with a key frame ({@link FrameEncoder},
 * {@link FrameDecoder}). Every frame is the change from the one before it (a key frame: from
 * nothing, with the dictionaries emptied). Integers are LEB128 varints; "signed" ones zig-zag.
 *
 * <pre>
 * frame     := u8 kind (KEY | DELTA) | time (KEY: varint millis; DELTA: signed change) | varint interval ms
 *              | varint build µs | files | tasks
 * files     := varint n | n × (path ref | item change)        paths and templates: {@link Dictionary} refs
 * tasks     := varint gone | gone × varint id gap
 *              | varint new | new × (varint id gap | varint owner | varint start time + 1 | varint items | items × (name ref | item change))
 *              | varint changed | changed × (varint id gap | varint items | items × (name ref | item change))
 * item change := REMOVED | ERROR varint errno | SAME_TEMPLATE changes
 *              | FILE/LINK template ref, then u8 1 + changes (against the old values, when as many) or u8 0 + varint × slots
 * changes   := varint n | n × (varint slot gap | signed change)
 * </pre>
 * Ids in each task list are ascending: each is written as its gap from the one before.
 */
final class FrameFormat {
    private FrameFormat() {}

    static final int KEY = 1, DELTA = 2;
    static final int REMOVED = 0, ERROR = 1, SAME_TEMPLATE = 2, FILE = 3, LINK = 4;

    /** Bounds every decoder holds a frame to. */
    static final int MAX_FILES = 4096, MAX_TASKS = 1 << 22, MAX_ITEMS = 256, MAX_NAME = 4096;
    static final int MAX_TEMPLATES = 1 << 20, MAX_NAMES = 1 << 16;
    /** Task ids are pids: below 2^22 (PID_MAX_LIMIT). */
    static final int ID_LIMIT = 1 << 22;
}
