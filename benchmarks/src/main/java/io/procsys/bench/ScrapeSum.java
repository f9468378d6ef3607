package io.procsys.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The baseline a user would pick instead of procsys: scrape /metrics from one node_exporter per
 * host (ports BASE..BASE+N-1, all at once) and sum node_memory_MemTotal_bytes. COUNT rounds after
 * WARMUP; prints p50/p99/max µs per round, this process's CPU per counted round (the hub's side
 * of the work, as the daemon's CPU per read on the procsys side) and the sum, as JSON.
 *
 * <p>Timed the way ReadLatency times a combined read: the client is as thin as the one on the
 * procsys side (a few system calls and small objects per host and round): one kept-alive HTTP/1.1
 * connection per exporter, every request written before any reply is read (so the exporters work
 * at once, as the agents of a fan-out do), the replies read as bytes. An HTTP client library
 * (java.net.http: h2c upgrade headers, a selector thread, futures, bodies decoded to Strings and
 * split in lines) added milliseconds per round of client-side work at 32 hosts that the procsys
 * side does not pay.
 */
public final class ScrapeSum {
    private static final byte[] METRIC = "\nnode_memory_MemTotal_bytes ".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ScrapeSum HOSTS BASE_PORT COUNT [WARMUP]");
            System.exit(2);
        }
        int hosts = Integer.parseInt(args[0]), base = Integer.parseInt(args[1]), count = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : count / 10;
        Exporter[] exporters = new Exporter[hosts];
        for (int i = 0; i < hosts; i++) exporters[i] = new Exporter(base + i);
        long[] micros = new long[count];
        long sum = 0, errors = 0, cpuStart = 0;
        for (int round = -warmup; round < count; round++) {
            if (round == 0) cpuStart = processCpuNanos();
            long t0 = System.nanoTime();
            for (Exporter e : exporters) e.ask();
            sum = 0;
            for (Exporter e : exporters) {
                long memTotal = e.memTotal();
                if (memTotal < 0) errors++;
                else sum += memTotal;
            }
            if (round >= 0) micros[round] = (System.nanoTime() - t0) / 1000;
        }
        long cpuMicrosPerRound = (processCpuNanos() - cpuStart) / 1000 / count;
        Arrays.sort(micros);
        System.out.printf("{\"rounds\": %d, \"errors\": %d, \"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"client_cpu_us_per_round\": %d, \"memtotal_bytes\": %d}%n",
                count, errors, micros[count / 2], micros[(int) (count * 0.99)], micros[count - 1], cpuMicrosPerRound, sum);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One exporter over one kept-alive connection: a request, then its reply's MemTotal. */
    private static final class Exporter {
        private final byte[] request;
        private final OutputStream out;
        private final InputStream in;
        private byte[] body = new byte[64 * 1024];

        Exporter(int port) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        void ask() throws IOException {
            out.write(request);
        }

        /** Reads the whole reply (Content-Length or chunked); MemTotal, or -1 if it is not there. */
        long memTotal() throws IOException {
            long length = -1;
            boolean chunked = false;
            for (String line = line(); !line.isEmpty(); line = line()) {
                String lower = line.toLowerCase();
                if (lower.startsWith("content-length:")) length = Long.parseLong(line.substring(15).trim());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            int size = 0;
            if (chunked) {
                for (int chunk = Integer.parseInt(line(), 16); chunk > 0; chunk = Integer.parseInt(line(), 16)) {
                    size = append(size, chunk);
                    line();  // the CRLF after the chunk
                }
                line();  // the CRLF after the last (empty) chunk
            } else {
                size = append(0, (int) length);
            }
            return parse(size);
        }

        private int append(int size, int n) throws IOException {
            if (size + n > body.length) body = Arrays.copyOf(body, Math.max(body.length * 2, size + n));
            int read = in.readNBytes(body, size, n);
            if (read < n) throw new IOException("reply cut short");
            return size + n;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(32);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') line.append((char) c);
            }
            return line.toString();
        }

        private long parse(int size) {
            outer:
            for (int i = 0; i + METRIC.length <= size; i++) {
                for (int k = 0; k < METRIC.length; k++) {
                    if (body[i + k] != METRIC[k]) continue outer;
                }
                int from = i + METRIC.length, to = from;
                while (to < size && body[to] != '\n') to++;
                return (long) Double.parseDouble(new String(body, from, to - from, StandardCharsets.US_ASCII).trim());
            }
            return -1;
        }
    }
}
