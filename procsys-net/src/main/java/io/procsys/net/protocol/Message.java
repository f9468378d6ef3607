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
    /** 2: adds Table. */
    int PROTOCOL_VERSION = 2;
    /**
     * The oldest version an agent still answers, in that version: so agents can be upgraded
     * before the mounts that read them (a client asks for its own version, and needs it).
     * Version 1 is version 2 without Table.
     */
    int OLDEST_PROTOCOL_VERSION = 1;

    int id();

    /** Client → agent, first frame: protocol version and the client's node name. */
    record Hello(int version, String node) implements Message {
        public int id() {
            return 0;
        }
    }

    /** Agent → client, answer to Hello: the agent's version and node name. */
    record Welcome(int version, String node) implements Message {
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
     * only while a tool reads threads).
     */
    record Table(int id, String path, boolean threads) implements Request {}

    sealed interface Reply extends Message {}

    record Attributes(int id, FileAttributes attributes) implements Reply {}

    record Listing(int id, List<ExportedTree.Entry> entries) implements Reply {}

    /** A file's bytes; the receiver owns (and must release) the buffer. */
    record Data(int id, ByteBuf bytes) implements Reply {}

    record LinkText(int id, String text) implements Reply {}

    /** The request failed with {@code errno} (the source's own error, or a refusal). */
    record Error(int id, int errno) implements Reply {}
}
