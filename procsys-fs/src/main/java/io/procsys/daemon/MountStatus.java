package io.procsys.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The client of a mount's {@link StatusEndpoint}: one connection per answer. The text path
 * touches no JSON class when the daemon is of this release ({@link StatusJson} is loaded only for
 * the previous release's answer).
 */
public final class MountStatus {
    private MountStatus() {}

    /** What `procsys status` prints, UTF-8, from the daemon, or made here from a daemon of the previous release's JSON. */
    public static byte[] text(Path mountpoint) throws IOException {
        byte[] answer = ask(StatusEndpoint.socketFor(mountpoint), StatusEndpoint.REQUEST_TEXT);
        // the previous release answered every connection with JSON, an object
        if (answer[0] != '{') return answer;
        return StatusReport.render(StatusJson.read(answer)).getBytes(StandardCharsets.UTF_8);
    }

    /** The status as the JSON document the daemon writes. */
    public static byte[] json(Path mountpoint) throws IOException {
        return ask(StatusEndpoint.socketFor(mountpoint), StatusEndpoint.REQUEST_JSON);
    }

    /** Writes the request line, then reads to EOF; never an empty answer (IOException). */
    static byte[] ask(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            try {
                channel.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.shutdownOutput();
            } catch (IOException e) {
                // a daemon of the previous release answers at once without reading and may have
                // closed its end already (EPIPE): its answer is still here to be read
            }
            byte[] answer = readToEnd(channel);
            if (answer.length == 0) throw new IOException("empty answer");
            return answer;
        }
    }

    /**
     * Everything the other end sends. A peer that closes with data of ours unread (the previous
     * release never reads the request) makes Linux report a reset after its answer, in place of
     * EOF: after an answer, that is its end.
     */
    static byte[] readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (channel.read(buf.clear()) > 0) answer.write(buf.array(), 0, buf.position());
        } catch (SocketException reset) {
            if (answer.size() == 0) throw reset;
        }
        return answer.toByteArray();
    }
}
