package io.procsys.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline a user would pick instead of procsys: scrape /metrics from one node_exporter per
 * host (ports BASE..BASE+N-1, all at once) and sum node_memory_MemTotal_bytes. COUNT rounds after
 * WARMUP; prints p50/p99/max µs per round and the sum, as JSON.
 */
public final class ScrapeSum {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ScrapeSum HOSTS BASE_PORT COUNT [WARMUP]");
            System.exit(2);
        }
        int hosts = Integer.parseInt(args[0]), base = Integer.parseInt(args[1]), count = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : count / 10;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            requests.add(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + i) + "/metrics")).build());
        }
        long[] micros = new long[count];
        long sum = 0, errors = 0;
        for (int round = -warmup; round < count; round++) {
            long t0 = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> replies = requests.stream()
                    .map(r -> http.sendAsync(r, HttpResponse.BodyHandlers.ofString())).toList();
            sum = 0;
            for (CompletableFuture<HttpResponse<String>> reply : replies) {
                try {
                    sum += memTotal(reply.join().body());
                } catch (RuntimeException e) {
                    errors++;
                }
            }
            if (round >= 0) micros[round] = (System.nanoTime() - t0) / 1000;
        }
        Arrays.sort(micros);
        System.out.printf("{\"rounds\": %d, \"errors\": %d, \"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"memtotal_bytes\": %d}%n",
                count, errors, micros[count / 2], micros[(int) (count * 0.99)], micros[count - 1], sum);
    }

    static long memTotal(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("node_memory_MemTotal_bytes ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new IllegalStateException("no node_memory_MemTotal_bytes");
    }
}
