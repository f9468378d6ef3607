package io.procsys.net.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The frame decoder of {@link Framing}, with a bound on how long one frame may take once its
 * first byte came: a peer that trickles a frame (a length of 30 MiB, then a byte a second) would
 * otherwise keep the connection, and the bytes received so far, for as long as it likes. A frame
 * still incomplete {@code limitNanos} after it began is no answer anyone still waits for (every
 * request waits less): the connection is closed, with an exception down the pipeline saying why.
 */
final class TimedFrameDecoder extends LengthFieldBasedFrameDecoder {
    /** The limit now (it may change while the connection is open: a mount's options applied after it connected). */
    private final LongSupplier limitNanos;
    private final LongSupplier clock;
    /** When the frame in progress began (its first byte came), or 0 with no frame in progress. */
    private long begunNanos;
    private ScheduledFuture<?> check;
    private boolean stalled;

    TimedFrameDecoder(int maxFrame, LongSupplier limitNanos, LongSupplier clock) {
        super(maxFrame, 0, 4, 0, 4);
        this.limitNanos = limitNanos;
        this.clock = clock;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        Object frame = super.decode(ctx, in);
        if (!in.isReadable()) begunNanos = 0;
        else if (frame != null || begunNanos == 0) begunNanos = clock.getAsLong(); // the next frame's first bytes
        return frame;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), limitNanos.getAsLong() / 4));
        check = ctx.executor().scheduleAtFixedRate(() -> closeIfStalled(ctx), every, every, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (check != null) check.cancel(false);
    }

    /** Closes the connection when the frame in progress is older than the limit (on the channel's thread). */
    void closeIfStalled(ChannelHandlerContext ctx) {
        long limit = limitNanos.getAsLong();
        if (begunNanos == 0 || clock.getAsLong() - begunNanos <= limit || stalled) return;
        stalled = true;
        // through the pipeline, so the handler at its end says why it closed
        ctx.fireExceptionCaught(new DecoderException("a frame begun " + TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - begunNanos)
                + " ms ago is still incomplete (at most " + TimeUnit.NANOSECONDS.toMillis(limit) + " ms)"));
        ctx.close();
    }
}
