package io.procsys.net.protocol;

/**
 * The process table's format: one host's process table, what ps, top, htop, pgrep and pstree read
 * of every process, taken by the agent in one pass and sent as one reply
 * ({@link ProcessTableWriter}), checked and indexed by the client ({@link ProcessTable}).
 *
 * <p>Layout (all integers big-endian, strings as in {@link MessageCodec}):
 * <pre>
 * u8 version | u8 flags (1: truncated, some processes left out)
 * names of a process directory's entries | names of a thread directory's entries   (u16 count + strings)
 * the root listing                                                                 (as in a Listing reply)
 * then records until the end: i32 pid | u32 length | items
 * item: path (relative to the pid directory, "" is the directory) | u8 kind | body
 *   ATTRIBUTES: attributes          ERROR: i32 errno
 *   FILE: attributes, u32 length, bytes     LINK: attributes, text     LISTING: attributes, entries
 * </pre>
 */
public final class ProcessTableFormat {
    private ProcessTableFormat() {}

    public static final int VERSION = 1;
    public static final int TRUNCATED = 1;
    /** Largest table an agent sends and a client keeps (per host). */
    public static final int MAX_BYTES = 8 << 20;
    /** Linux pids are below 2^22 (PID_MAX_LIMIT on 64-bit). */
    public static final int PID_LIMIT = 1 << 22;
    static final int ATTRIBUTES = 0, ERROR = 1, FILE = 2, LINK = 3, LISTING = 4;
    static final int MAX_NAMES = 1024;
    static final int ATTRIBUTE_BYTES = 12 + 6 * 8;
}
