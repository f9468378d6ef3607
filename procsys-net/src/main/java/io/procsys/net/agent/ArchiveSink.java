package io.procsys.net.agent;

/**
 * Where an agent keeps the recorded blocks other agents push to it (agent --accept-archives):
 * one {@link Upload} a connection, for the host its peer's certificate names. Called on the
 * agent's file thread; refusals are {@code ErrnoException}s.
 */
public interface ArchiveSink {
    /** An upload for {@code host}, the common name of the pushing peer's certificate (never a name the peer sends). */
    Upload open(String host);

    /** One connection's blocks of one host, part by part. */
    interface Upload extends AutoCloseable {
        /** The time of the last frame held of the host (Long.MIN_VALUE: none). */
        long lastMillis();

        /** Takes the next part of the block {@code entry} names; the block is stored when its last part came. */
        void part(byte[] entry, int offset, byte[] bytes);

        /** Drops a block still being received. */
        @Override
        void close();
    }
}
