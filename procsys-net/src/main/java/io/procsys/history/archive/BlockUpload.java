package io.procsys.history.archive;

import io.procsys.history.BlockEntry;
import io.procsys.net.agent.ArchiveSink;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.util.Arrays;

/**
 * One connection's blocks of one host, gathered part by part: a block starts at offset 0 and its
 * parts follow in order, each of the same entry; any other part is refused (EINVAL) and the block
 * dropped. The block's bytes are reserved from the inbox's in-flight bound while it is received.
 */
final class BlockUpload implements ArchiveSink.Upload {
    private final ArchiveInbox inbox;
    private final String host;
    private byte[] entryBytes;
    private BlockEntry entry;
    private byte[] block;
    private int received;

    BlockUpload(ArchiveInbox inbox, String host) {
        this.inbox = inbox;
        this.host = host;
    }

    @Override
    public long lastMillis() {
        return inbox.lastMillis(host);
    }

    @Override
    public void part(byte[] entryBytes, int offset, byte[] bytes) {
        if (offset == 0) start(entryBytes);
        else if (block == null || offset != received || !Arrays.equals(entryBytes, this.entryBytes)) refuse("a part out of order");
        if (bytes.length > block.length - received) refuse("a part past its block");
        System.arraycopy(bytes, 0, block, received, bytes.length);
        received += bytes.length;
        if (received < block.length) return;
        byte[] whole = block;
        BlockEntry done = entry;
        close();
        if (!done.matches(whole, 0)) throw new ErrnoException(Errno.EINVAL, "a block that fails its CRC");
        inbox.store(host, done, whole);
    }

    /** A new block: the one being received (if any) is dropped. */
    private void start(byte[] entryBytes) {
        close();
        BlockEntry e = BlockEntry.decode(entryBytes, 0);
        if (e == null || e.length() == 0) throw new ErrnoException(Errno.EINVAL, "a damaged block entry");
        if (e.length() > ArchiveInbox.MAX_BLOCK) throw new ErrnoException(Errno.EFBIG, "a block of " + e.length() + " bytes");
        inbox.reserve(e.length());
        this.entryBytes = entryBytes.clone();
        this.entry = e;
        this.block = new byte[e.length()];
        this.received = 0;
    }

    private void refuse(String why) {
        close();
        throw new ErrnoException(Errno.EINVAL, why);
    }

    @Override
    public void close() {
        if (block != null) inbox.release(block.length);
        block = null;
        entry = null;
        entryBytes = null;
        received = 0;
    }
}
