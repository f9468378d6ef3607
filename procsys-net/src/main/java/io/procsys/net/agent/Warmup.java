package io.procsys.net.agent;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.Transport;
import io.procsys.net.client.AgentClient;
import io.procsys.posix.ProcessCalls;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Warms a new agent up: a client in the same process connects to it (TLS handshake included)
 * and sends the requests mounts send, until the JIT has compiled the request path. It runs after
 * the agent is announced, in the background, its threads niced: the client's requests wait for
 * them, so the agent's own work for the warm-up goes at their pace. Without it an agent that answers a few requests a second (top every 3 s) stays in the
 * interpreter for hours at ~1 ms of CPU per request, and its first connection pays ~100 ms of
 * interpreted certificate checks (benchmarks/cluster.sh measures both).
 */
public final class Warmup {
    /** Enough for C1 to compile the request path (it compiles after a few hundred calls). */
    public static final int REQUESTS = 1500;
    /** The nice of the warm-up's threads: what no other work of the host wants. */
    public static final int LOWEST_PRIORITY = 19;

    private Warmup() {}

    /** Runs the warm-up against {@code address}; returns the number of requests answered (0 if it could not connect). */
    public static int run(InetSocketAddress address, SslContext clientTls, String node, int requests) {
        return run(address, clientTls, node, requests, 0);
    }

    /** As above, with this thread and the client's niced to {@code nice} (Linux: a thread's own; 0 leaves them). */
    public static int run(InetSocketAddress address, SslContext clientTls, String node, int requests, int nice) {
        EventLoopGroup loop = Transport.eventLoops(1);
        int answered = 0;
        try {
            if (nice != 0) {
                ProcessCalls.setPriority(0, nice); // this thread, as setpriority(PRIO_PROCESS, 0) is per thread on Linux
                loop.submit(() -> ProcessCalls.setPriority(0, nice)).get(5, TimeUnit.SECONDS);
            }
            AgentClient client = AgentClient.connect(loop, address, clientTls, node + "-warmup", Duration.ofSeconds(20))
                    .get(30, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < requests; i++) {
                    switch (i % 10) {
                        case 0 -> client.stat("loadavg", 5_000).get(5, TimeUnit.SECONDS);
                        case 1 -> client.list("sys/kernel", 5_000).get(5, TimeUnit.SECONDS);
                        default -> {
                            ByteBuf data = client.read(i % 2 == 0 ? "loadavg" : "meminfo", 5_000).get(5, TimeUnit.SECONDS);
                            data.release();
                        }
                    }
                    answered++;
                }
                client.table("", false, 10_000).get(10, TimeUnit.SECONDS).release();
            } finally {
                client.close();
            }
        } catch (Exception e) {
            // a warm-up that fails costs nothing but its speed-up
            if (System.getenv("PROCSYS_DEBUG_WARMUP") != null) e.printStackTrace();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // the warm-up's garbage goes now, not in the middle of the first clients' requests
        System.gc();
        return answered;
    }
}
