package io.procsys.history.archive;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.history.BlockEntry;
import io.procsys.history.DayFiles;
import io.procsys.history.StoreReader;
import io.procsys.net.Transport;
import io.procsys.net.client.AgentClient;
import io.procsys.net.protocol.Message;
import io.procsys.posix.Errno;
import io.procsys.posix.ErrnoException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pushes a host's closed blocks to another agent (agent --archive-to HOST:PORT), over mutual TLS
 * with the agent's certificate, which names the host there. Every pass (a block's time) asks the
 * receiver for the last frame it holds, then sends the blocks after it, read from the recording
 * one at a time: a receiver that is down gets them when it answers again, as long as the
 * recording keeps them, and memory holds one block whatever the outage.
 */
public final class ArchivePusher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.procsys.history");
    private static final Duration CONNECT = Duration.ofSeconds(10);
    private static final long WAIT_MILLIS = 30_000;

    private final StoreReader recording;
    private final InetSocketAddress to;
    private final SslContext tls;
    private final String node;
    private final EventLoopGroup group = Transport.eventLoops(1);
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("procsys-archive").priority(Thread.MIN_PRIORITY).factory());
    /** Blocks the receiver took, and blocks it refused for good (over a bound, a day it does not keep): skipped. */
    public final LongAdder pushed = new LongAdder(), skipped = new LongAdder();
    private AgentClient client;
    /** The last frame the receiver holds (asked again after every failure). */
    private long cursor;
    private String failing;

    public ArchivePusher(StoreReader recording, InetSocketAddress to, SslContext tls, String node) {
        this.recording = recording;
        this.to = to;
        this.tls = tls;
        this.node = node;
    }

    /** Pushes every {@code every} (at least a second) from now on. */
    public ArchivePusher start(Duration every) {
        long millis = Math.max(1000, every.toMillis());
        thread.scheduleWithFixedDelay(this::passCaught, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void passCaught() {
        try {
            pass();
            if (failing != null) LOG.log(System.Logger.Level.INFO, "archive: pushing to " + to + " again");
            failing = null;
        } catch (Exception e) { // never the end of the schedule: the blocks wait in the recording
            String why = reason(e);
            if (!why.equals(failing)) LOG.log(System.Logger.Level.WARNING, "archive: cannot push to " + to + ": " + why
                    + " (the blocks stay in the recording and go when it takes them)");
            failing = why;
            disconnect();
        }
    }

    /** Sends the blocks the receiver does not hold yet, oldest first. */
    void pass() throws Exception {
        if (client == null || !client.isActive()) connect();
        for (LocalDate day : recording.days()) {
            if (cursor != Long.MIN_VALUE && day.isBefore(DayFiles.dayOf(cursor))) continue;
            for (BlockEntry entry : recording.entries(day)) {
                if (entry.firstMillis() <= cursor) continue;
                byte[] bytes = recording.read(day, entry);
                if (!entry.matches(bytes, 0)) return; // being rewritten (thinning): the next pass
                if (send(entry, bytes)) pushed.increment();
                else skipped.increment();
                cursor = entry.lastMillis();
            }
        }
    }

    private void connect() throws Exception {
        client = AgentClient.connect(group, to, tls, node, CONNECT).get(CONNECT.toMillis() * 2, TimeUnit.MILLISECONDS);
        if (client.version() < Message.ARCHIVE_VERSION) throw new ErrnoException(Errno.EPROTO, "it speaks protocol " + client.version() + ", before archives");
        ByteBuf last = (ByteBuf) ((Message.Data) client.request(Message.ArchiveWhere::new, WAIT_MILLIS).get()).bytes();
        try {
            cursor = last.readLong();
        } finally {
            last.release();
        }
    }

    /**
     * Sends one block, part by part: whether the receiver took it (false: it refused it for good,
     * EFBIG or EINVAL, logged; the next blocks go all the same). Anything else ends the pass.
     */
    private boolean send(BlockEntry entry, byte[] bytes) throws ExecutionException, InterruptedException, TimeoutException {
        byte[] encoded = entry.encode();
        for (int at = 0; at < bytes.length; at += Message.MAX_ARCHIVE_PART) {
            byte[] part = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + Message.MAX_ARCHIVE_PART));
            int offset = at;
            try {
                client.request(id -> new Message.ArchivePart(id, encoded, offset, part), WAIT_MILLIS).get(WAIT_MILLIS + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(ErrnoException.unwrapped(e.getCause()) instanceof ErrnoException r) || (r.errno() != Errno.EFBIG && r.errno() != Errno.EINVAL)) throw e;
                LOG.log(System.Logger.Level.WARNING, "archive: " + to + " refused the block of " + java.time.Instant.ofEpochMilli(entry.firstMillis())
                        + ": " + r.getMessage() + " (skipped)");
                return false;
            }
        }
        return true;
    }

    private static String reason(Exception e) {
        Throwable cause = ErrnoException.unwrapped(e instanceof ExecutionException x && x.getCause() != null ? x.getCause() : e);
        if (cause instanceof ErrnoException r && r.errno() == Errno.EPERM) return "it accepts no archives from this host (it needs agent --accept-archives DIR, and this certificate)";
        return cause instanceof ErrnoException r ? r.getMessage() : String.valueOf(cause);
    }

    private void disconnect() {
        if (client != null) client.close();
        client = null;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
