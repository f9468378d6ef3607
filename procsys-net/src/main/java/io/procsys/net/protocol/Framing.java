package io.procsys.net.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

import java.time.Duration;
import java.util.function.Supplier;

/** The framing both ends share: a u32 length before every frame, bounded on receipt. */
public final class Framing {
    /** An agent receives only small requests. */
    public static final int MAX_REQUEST_FRAME = 16 * 1024;
    /** A client receives whole files (at most 16 MiB each), listings and a tree node's tables (at most {@link TableBundle#MAX_BYTES}). */
    public static final int MAX_REPLY_FRAME = TableBundle.MAX_BYTES + 1024 * 1024;

    private Framing() {}

    public static void install(ChannelPipeline pipeline, int maxInboundFrame) {
        install(pipeline, new LengthFieldBasedFrameDecoder(maxInboundFrame, 0, 4, 0, 4));
    }

    /**
     * As {@link #install(ChannelPipeline, int)}, closing the connection when a frame is still
     * incomplete {@code frameTime} (as it is then) after its first byte ({@link TimedFrameDecoder}).
     */
    public static void install(ChannelPipeline pipeline, int maxInboundFrame, Supplier<Duration> frameTime) {
        install(pipeline, new TimedFrameDecoder(maxInboundFrame, () -> frameTime.get().toNanos(), System::nanoTime));
    }

    private static void install(ChannelPipeline pipeline, LengthFieldBasedFrameDecoder frames) {
        pipeline.addLast("frame-decoder", frames);
        pipeline.addLast("frame-prepender", new LengthFieldPrepender(4));
        pipeline.addLast("codec", new MessageCodec());
    }
}
