package io.procsys.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.procsys.net.Tls;
import io.procsys.net.Transport;
import io.procsys.net.client.AgentClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one agent process costs per request, as a cold process sees it: connects to a freshly
 * started agent (mutual TLS when certificate files are given), then sends {@code total} Read
 * requests for {@code file} one after another, and reads the agent's CPU time (the sum of its
 * threads' schedstat, in ns) at each checkpoint. Prints one JSON line: CPU µs per request over
 * the first 200, 200..1000, 1000..5000 and the last stretch, and the agent's RSS at the end.
 * FILE {@value #TABLE} asks for process tables instead.
 * <p>Usage: AgentCost HOST:PORT AGENT_PID FILE TOTAL [CERT KEY CA]
 */
public final class AgentCost {
    static final String TABLE = ":table";

    private AgentCost() {}

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        long agentPid = Long.parseLong(args[1]);
        String file = args[2];
        int total = Integer.parseInt(args[3]);
        SslContext tls = args.length >= 7 ? Tls.client(new Tls.Credentials(Path.of(args[4]), Path.of(args[5]), Path.of(args[6]))) : null;
        EventLoopGroup loops = Transport.eventLoops(1);
        try {
            AgentClient client = AgentClient.connect(loops, new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])),
                    tls, "agent-cost", Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
            List<Integer> checkpoints = new ArrayList<>(List.of(0, 200, 1000, 5000));
            checkpoints.removeIf(c -> c > total);
            if (!checkpoints.contains(total)) checkpoints.add(total);
            long[] cpuNanos = new long[checkpoints.size()];
            long atConnect = cpuNanos(agentPid);
            cpuNanos[0] = atConnect;
            int next = 1;
            for (int i = 1; i <= total; i++) {
                ByteBuf data = (file.equals(TABLE) ? client.table("", false, 10_000) : client.read(file, 5_000)).get(10, TimeUnit.SECONDS);
                data.release();
                if (next < checkpoints.size() && i == checkpoints.get(next)) cpuNanos[next++] = cpuNanos(agentPid);
            }
            StringBuilder json = new StringBuilder("{\"file\": \"" + file + "\", \"requests\": " + total);
            for (int k = 1; k < checkpoints.size(); k++) {
                long requests = checkpoints.get(k) - checkpoints.get(k - 1);
                json.append(String.format(", \"cpu_us_%d_%d\": %.1f", checkpoints.get(k - 1), checkpoints.get(k),
                        (cpuNanos[k] - cpuNanos[k - 1]) / 1000.0 / requests));
            }
            json.append(", \"rss_kb\": ").append(rssKb(agentPid)).append('}');
            System.out.println(json);
            client.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** CPU time of every thread of {@code pid}, in ns (first field of each task's schedstat). */
    static long cpuNanos(long pid) throws IOException {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    sum += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                } catch (IOException gone) {
                    // a thread that ended: its time is in the process's exited-children sum, not here
                }
            }
        }
        return sum;
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }
}
