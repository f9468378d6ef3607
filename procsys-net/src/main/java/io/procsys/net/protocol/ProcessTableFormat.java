package io.procsys.net.protocol;

import java.util.List;

/**
 * The process table's format: one host's process table, what ps, top, htop, pgrep and pstree read
 * of every process, taken by the agent in one pass and sent as one reply
 * ({@link ProcessTableWriter}), checked and indexed by the client ({@link ProcessTable}).
 *
 * <p>Layout (all integers big-endian, strings as in {@link MessageCodec}):
 * <pre>
 * u8 version | u8 flags (1: truncated, some processes left out; 2: partial, a u16 of the parts held follows)
 * [u16 parts: bit i set when every record holds PARTS[i] (unless it is too big or failed: then an ERROR item); only with flag 2]
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

    /**
     * The parts of a process record a Table request names (bit i: {@code PARTS.get(i)}, a file
     * or, for ns, the listing with its link texts): what a client leaves out is not read by the
     * agent at all. The pid directory's attributes and its task/ listing are always in.
     */
    public static final List<String> PARTS = List.of("stat", "statm", "status", "cmdline", "comm", "cgroup", "environ", "exe", "ns");
    public static final int ALL_PARTS = (1 << PARTS.size()) - 1;

    /** The part bit of {@code rest}, a path inside a pid directory ("status", "ns/net"), or 0 when it is in no part. */
    public static int partOf(String rest) {
        int slash = rest.indexOf('/');
        int i = PARTS.indexOf(slash < 0 ? rest : rest.substring(0, slash));
        return i < 0 || (slash >= 0 && i != PARTS.indexOf("ns")) ? 0 : 1 << i;
    }

    public static final int VERSION = 1;
    public static final int TRUNCATED = 1;
    /** The table holds only some {@link #PARTS} (a version 4 request asked for them): the u16 of those follows the flags. */
    public static final int PARTIAL = 2;
    /** Largest table an agent sends and a client keeps (per host). */
    public static final int MAX_BYTES = 8 << 20;
    /** Linux pids are below 2^22 (PID_MAX_LIMIT on 64-bit). */
    public static final int PID_LIMIT = 1 << 22;
    static final int ATTRIBUTES = 0, ERROR = 1, FILE = 2, LINK = 3, LISTING = 4;
    static final int MAX_NAMES = 1024;
    static final int ATTRIBUTE_BYTES = 12 + 6 * 8;
}
