package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.procsys.net.protocol.Message;

import java.util.concurrent.CompletableFuture;

/**
 * Where an agent's answers to {@link Message.Table} requests come from when they are not built
 * from its exported tree: a tree node answers with its own table and its hosts' (one reply per
 * rack), the scale simulation with tables built once. Called on the agent's table thread.
 */
public interface TableSource {
    /**
     * The reply's bytes (the agent sends them and releases them), or a future failed with an
     * {@code ErrnoException} whose errno the client gets; null to build the table from the tree
     * as an agent without a source does.
     */
    CompletableFuture<ByteBuf> table(Message.Table request, ByteBufAllocator alloc);

    /**
     * The longest this agent may wait for hosts below it before it answers (a tree node: its own
     * deadlines for its peers), told to each client in the Welcome; 0 by default.
     */
    default long waitsMillis() {
        return 0;
    }
}
