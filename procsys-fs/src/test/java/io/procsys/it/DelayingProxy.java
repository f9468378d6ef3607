package io.procsys.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy on loopback that makes a healthy agent a slow one: bytes towards the agent pass at
 * once, bytes back are held for {@link #delayMillis} each (in order), so replies arrive after the
 * mount's deadline while the connection stays up.
 */
final class DelayingProxy implements AutoCloseable {
    private record Chunk(long dueNanos, byte[] bytes) {}

    volatile long delayMillis;
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    DelayingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept").start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket client = server.accept();
                Socket agent;
                try {
                    agent = new Socket(target.getAddress(), target.getPort());
                } catch (IOException down) { // the agent is down: this client is refused, the next may find it back
                    client.close();
                    continue;
                }
                sockets.addAll(List.of(client, agent));
                Thread.ofPlatform().daemon().start(() -> pump(client, agent));
                LinkedBlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
                Thread.ofPlatform().daemon().start(() -> hold(agent, client, held));
                Thread.ofPlatform().daemon().start(() -> release(held, client));
            }
        } catch (IOException closed) {
            // server closed
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ended) {
            closeBoth(from, to);
        }
    }

    private void hold(Socket from, Socket to, LinkedBlockingQueue<Chunk> held) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                held.add(new Chunk(System.nanoTime() + delayMillis * 1_000_000, Arrays.copyOf(buf, n)));
            }
        } catch (IOException ended) {
            // closed
        }
        held.add(new Chunk(0, null));
        closeBoth(from, to);
    }

    private static void release(LinkedBlockingQueue<Chunk> held, Socket to) {
        try {
            OutputStream out = to.getOutputStream();
            for (Chunk c; (c = held.take()).bytes() != null; ) {
                long wait = c.dueNanos() - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                out.write(c.bytes());
            }
        } catch (IOException | InterruptedException ended) {
            // closed
        }
    }

    private static void closeBoth(Socket a, Socket b) {
        try {
            a.close();
            b.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
