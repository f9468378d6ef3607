package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.concurrent.CompletableFuture;

/**
 * Where an agent's answers to reads of some files come from instead of its tree: a tree node's
 * combined files, straight from its view (no round trip through its own FUSE mount, no file
 * thread). Called on the I/O thread: it must not block.
 */
public interface FileSource {
    /**
     * The file's bytes (the agent sends and releases them), or a future failed with an
     * {@code ErrnoException}; null to read the file from the tree.
     */
    CompletableFuture<ByteBuf> read(String path, ByteBufAllocator alloc);
}
