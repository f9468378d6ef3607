package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.procsys.tree.ExportedTree;
import io.procsys.tree.FileAttributes;

import java.util.List;

/**
 * Everything that crosses the wire between a client (a mounting node) and an agent. A frame is
 * {@code length:u32 | type:u8 | id:u32 | body}; {@code id} pairs a reply with its request so
 * many requests can be in flight on one connection. The hello exchange has id 0.
 */
public sealed interface Message {
    /**
     * 2: adds Table. 3: adds the actions (Signal, SetPriority, IoprioGet) and Done. 4: Table names
     * the parts it wants. 5: Table may ask for the subtree (a {@link TableBundle} from a tree node).
     * 6: Welcome says how long the agent may wait for hosts below it (a tree node).
     * 7: History asks for a host's recorded past.
     * 8: Scope (a connection that sees one scope, docs/scope.md).
     * 9: ArchiveWhere and ArchivePart push an agent's recorded blocks to another (docs/history.md).
     * 10: HistoryHosts asks which hosts' pasts an agent serves (archived, or below a tree node).
     */
    int PROTOCOL_VERSION = 10;
    /** The first version with actions: a client that negotiated an older one sends none (and answers EPERM itself). */
    int ACTIONS_VERSION = 3;
    /** The first version whose Table may leave parts out: a client that negotiated an older one asks for all. */
    int TABLE_PARTS_VERSION = 4;
    /** The first version whose Table may ask for a node's subtree: a client that negotiated an older one asks for the table alone. */
    int SUBTREE_VERSION = 5;
    /** The first version whose Welcome carries the agent's wait for the hosts below it: a client that negotiated an older one takes 0. */
    int WAITS_VERSION = 6;
    /** The first version with History: a client that negotiated an older one leaves that host out of a view of the past. */
    int HISTORY_VERSION = 7;
    /** The longest span of time one History request may ask for. */
    long MAX_HISTORY_SPAN_MILLIS = 86_400_000;
    /** The first version with Scope: a mount with --scope leaves an older agent's host out. */
    int SCOPE_VERSION = 8;
    /** The first version with ArchiveWhere and ArchivePart: a pusher waits for an older receiver to be upgraded. */
    int ARCHIVE_VERSION = 9;
    /** An index entry of a recording, as ArchivePart carries it (io.procsys.history.BlockEntry). */
    int ARCHIVE_ENTRY_BYTES = 48;
    /** The most bytes of a block one ArchivePart carries: with its header, under {@link Framing#MAX_REQUEST_FRAME}. */
    int MAX_ARCHIVE_PART = 12 * 1024;
    /** The first version with HistoryHosts: a client that negotiated an older one takes the agent's own past alone. */
    int HISTORY_HOSTS_VERSION = 10;
    /** The longest wait an agent may announce (a larger one is refused as malformed): 10 minutes. */
    long MAX_WAITS_MILLIS = 600_000;
    /**
     * The oldest version an agent still answers, in that version: so agents can be upgraded
     * before the mounts that read them (a client asks for its own version, and needs it).
     * Version 1 is version 2 without Table; version 2 is version 3 without the actions; version 3
     * is version 4 with every Table asking for all parts.
     */
    int OLDEST_PROTOCOL_VERSION = 1;

    int id();

    /** Client → agent, first frame: protocol version and the client's node name. */
    record Hello(int version, String node) implements Message {
        public int id() {
            return 0;
        }
    }

    /**
     * Agent → client, answer to Hello: the agent's version and node name, and (version 6) the
     * longest it may itself wait for the hosts below it before it answers (0 for an agent over its
     * own /proc; a tree node's deadlines for its peers): the client waits that much longer for it,
     * so deadlines nest by themselves.
     */
    record Welcome(int version, String node, long waitsMillis) implements Message {
        public Welcome(int version, String node) {
            this(version, node, 0);
        }

        public int id() {
            return 0;
        }
    }

    /** A request for one path of the agent's tree ("" is its root). */
    sealed interface Request extends Message {
        String path();
    }

    record Stat(int id, String path) implements Request {}

    record ListDirectory(int id, String path) implements Request {}

    /** Read a whole file as one snapshot. */
    record Read(int id, String path) implements Request {}

    record Readlink(int id, String path) implements Request {}

    /**
     * The process table of the tree at {@code path} ("" for the root): its listing and, for every
     * process, the files process tools read, in one {@link ProcessTable} (answered with Data);
     * with {@code threads}, every thread's files too (costly on hosts of many threads: asked for
     * only while a tool reads threads). {@code parts}: which of {@link ProcessTableFormat#PARTS}
     * each process record holds (a client reads the others one by one or asks again).
     * {@code subtree}: a tree node (`node --export combined`) answers with a {@link TableBundle},
     * its own table and every host's below it; any other agent with its own table as usual.
     */
    record Table(int id, String path, boolean threads, int parts, boolean subtree) implements Request {
        public Table {
            if ((parts & ~ProcessTableFormat.ALL_PARTS) != 0) throw new IllegalArgumentException("parts " + parts);
        }

        public Table(int id, String path, boolean threads, int parts) {
            this(id, path, threads, parts, false);
        }

        public Table(int id, String path, boolean threads) {
            this(id, path, threads, ProcessTableFormat.ALL_PARTS);
        }
    }

    /**
     * A request to act on one process of the agent's host, named by its local {@code pid} and its
     * start time ({@code startTime}: field 22 of its stat, in clock ticks since boot) as the
     * client last saw it: a process whose start time differs (the pid was reused) is not touched
     * (ESRCH). Answered with {@link Done} or {@link Error}.
     */
    sealed interface Action extends Message {
        int pid();

        long startTime();
    }

    /**
     * kill(2) of one process with {@code signal} (0: a check), for {@code user} (uid {@code uid})
     * of the client's host: the agent maps the user by name (docs/using.md "Acting on the cluster").
     */
    record Signal(int id, int pid, long startTime, int signal, String user, int uid) implements Action {}

    /** setpriority(PRIO_PROCESS, pid, nice) of one process, for {@code user}, authorised as {@link Signal}. */
    record SetPriority(int id, int pid, long startTime, int nice, String user, int uid) implements Action {}

    /** ioprio_get(IOPRIO_WHO_PROCESS, pid): a read, answered to any client the agent serves. */
    record IoprioGet(int id, int pid, long startTime) implements Action {}

    /**
     * The recorded past of {@code host} ("" the agent's own host; a tree node answers for a host
     * below it by that name) from {@code fromMillis} to {@code toMillis} (wall clock, ms): Data
     * holding an {@code io.procsys.history.SegmentBatch} (the segments with frames in the span, and
     * the last one before it), or Error (ENODATA: nothing recorded; ENOENT: no such host).
     */
    record History(int id, String host, long fromMillis, long toMillis) implements Message {
        public History {
            if (!spanFits(fromMillis, toMillis)) {
                throw new IllegalArgumentException("history from " + fromMillis + " to " + toMillis);
            }
        }
    }

    /** Whether a History span is one a request may ask for: in order, at most {@link #MAX_HISTORY_SPAN_MILLIS} long. */
    static boolean spanFits(long fromMillis, long toMillis) {
        long span = toMillis - fromMillis;
        return toMillis >= fromMillis && span >= 0 && span <= MAX_HISTORY_SPAN_MILLIS;
    }

    /**
     * Client → agent (version 10): the names of the hosts other than its own whose recorded past
     * the agent answers History for (hosts archived to it, hosts below a tree node): Data holding a
     * {@link HistoryHostList}, or Error.
     */
    record HistoryHosts(int id) implements Message {}

    /**
     * Client → agent (version 8): from now on this connection sees only the scope of
     * {@code specs} ({@link io.procsys.scope.ScopeSpec}, a union): its processes and threads, and
     * its own meminfo, swaps, cpuinfo, stat, uptime, loadavg and diskstats (docs/scope.md). Sent
     * right after the hello, before any request; sent again, it asks for the state anew (other
     * specs replace the scope). Answered with {@link ScopeReply}, or Error(EINVAL) for a spec the
     * agent refuses.
     */
    record Scope(int id, List<String> specs) implements Message {
        public Scope {
            specs = List.copyOf(specs);
        }
    }

    /**
     * Pusher → receiver (version 9): the time of the last frame the receiver holds of the pusher's
     * host, the host its certificate names (Data: an i64, Long.MIN_VALUE for none), or Error
     * (EPERM: it accepts no archives).
     */
    record ArchiveWhere(int id) implements Message {}

    /**
     * Pusher → receiver (version 9): {@code part}, at {@code offset}, of the recorded block whose
     * index entry is {@code entry} ({@link #ARCHIVE_ENTRY_BYTES}); parts come in order, and the
     * receiver stores the block, under the name of the pusher's certificate, when its last part
     * came. Answered with Done(0), or Error (EPERM: no archives accepted; EINVAL: a part out of
     * order or a block that fails its CRC; EDQUOT: over the host's bound; EAGAIN: busy).
     */
    record ArchivePart(int id, byte[] entry, int offset, byte[] part) implements Message {
        public ArchivePart {
            if (entry.length != ARCHIVE_ENTRY_BYTES || offset < 0 || part.length < 1 || part.length > MAX_ARCHIVE_PART) {
                throw new IllegalArgumentException("archive part of " + part.length + " bytes at " + offset);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ArchivePart p && p.id == id && p.offset == offset
                    && java.util.Arrays.equals(p.entry, entry) && java.util.Arrays.equals(p.part, part);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, offset, java.util.Arrays.hashCode(entry), java.util.Arrays.hashCode(part));
        }
    }

    sealed interface Reply extends Message {}

    /** The scope on the agent's host now: found or why not, where, how many processes. */
    record ScopeReply(int id, io.procsys.scope.ScopeState state) implements Reply {}

    /** An action done: {@code value} is 0, or what it reads (the I/O priority). */
    record Done(int id, int value) implements Reply {}

    record Attributes(int id, FileAttributes attributes) implements Reply {}

    record Listing(int id, List<ExportedTree.Entry> entries) implements Reply {}

    /** A file's bytes; the receiver owns (and must release) the buffer. */
    record Data(int id, ByteBuf bytes) implements Reply {}

    record LinkText(int id, String text) implements Reply {}

    /** The request failed with {@code errno} (the source's own error, or a refusal). */
    record Error(int id, int errno) implements Reply {}
}
