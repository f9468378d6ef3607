package io.procsys.daemon;

import io.procsys.fs.history.PastClock;
import io.procsys.fs.history.PastView;
import io.procsys.fs.history.Times;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;

/**
 * The clock control of a view of the past (procsys seek, pause, resume, which): a unix socket beside
 * the mount, its owner's only (what the view shows changes for every reader), one line a connection:
 * {@code seek TIME}, {@code pause}, {@code resume} or {@code time}, answered by one line
 * "OK YYYY-MM-DD HH:MM:SS running|paused" or "ERROR reason"; {@code which CLUSTERPID}, answered by
 * "OK HOST PID" or "ERROR reason".
 */
public final class PastControl implements AutoCloseable {
    private static final int MAX_REQUEST = 256;
    private final Path socket;
    private final ServerSocketChannel server;

    private PastControl(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
    }

    public static Path socketFor(Path mountpoint) {
        return RunFiles.socket("past", mountpoint);
    }

    public static PastControl start(Path mountpoint, PastView view) throws IOException {
        Path socket = socketFor(mountpoint);
        ServerSocketChannel server = RunFiles.listenPrivately(socket); // never a live daemon's socket
        PastControl control = new PastControl(socket, server);
        Thread.ofVirtual().name("past-control").start(() -> control.serve(view));
        return control;
    }

    private void serve(PastView view) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("past-control-request").start(() -> answerOne(client, view)); // a silent client holds only its own thread
        }
    }

    private static void answerOne(SocketChannel client, PastView view) {
        try (client) {
            String line = readLine(client);
            String reply = (line.startsWith("which ") ? which(view, line.substring(6).strip()) : answer(view.clock(), line)) + "\n";
            ByteBuffer out = ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) client.write(out);
        } catch (IOException | RuntimeException e) {
            // that client is gone
        }
    }

    private static String readLine(SocketChannel client) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        while (in.hasRemaining() && client.read(in) > 0) {
            if (in.get(in.position() - 1) == '\n') break;
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
    }

    /** The host and pid of a cluster pid at the time shown. */
    static String which(PastView view, String pid) {
        if (!pid.matches("\\d{1,10}")) return "ERROR which needs a cluster pid";
        String found = view.which(Long.parseLong(pid));
        return found == null ? "ERROR no host of the view has this pid at " + Times.format(view.clock().nowMillis()) : "OK " + found;
    }

    /** The answer to one request line about the clock. */
    static String answer(PastClock clock, String line) {
        String[] words = line.split("\\s+", 2);
        try {
            switch (words[0]) {
                case "seek" -> {
                    if (words.length < 2) return "ERROR seek needs a time";
                    clock.seek(Times.parse(words[1], clock.nowMillis(), ZoneId.systemDefault()));
                }
                case "pause" -> clock.pause();
                case "resume" -> clock.resume();
                case "time" -> { }
                default -> {
                    return "ERROR unknown request '" + words[0] + "' (seek TIME, pause, resume, time, which PID)";
                }
            }
        } catch (IllegalArgumentException e) {
            return "ERROR " + e.getMessage();
        }
        return "OK " + Times.format(clock.nowMillis()) + " " + (clock.paused() ? "paused" : "running");
    }

    /** Asks the view at {@code mountpoint}; UserError when it has no such socket (not a view of the past). */
    public static String ask(Path mountpoint, String request) {
        Path socket = socketFor(mountpoint);
        if (!Files.exists(socket)) throw new UserError(mountpoint.toAbsolutePath().normalize() + " is no view of the past (procsys mount --at TIME)");
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) channel.write(out);
            return readLine(channel);
        } catch (IOException e) {
            throw new UserError("cannot reach " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // gone with /run at the latest
        }
    }
}
