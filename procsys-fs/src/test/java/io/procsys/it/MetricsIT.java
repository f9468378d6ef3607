package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --metrics-listen as operators use it: an agent process and a cluster mount daemon, each started
 * by the launcher with {@code --metrics-listen 127.0.0.1:0} (a free port, printed when ready);
 * reads through the mount; then both {@code /metrics} pages are checked for the series and
 * values those reads must have left, and by {@code promtool check metrics}. The alerting rule of
 * deploy/prometheus is checked and unit-tested by promtool too. promtool (Debian's prometheus,
 * scripts/setup.sh) must be installed: without it these tests fail, they do not skip.
 */
class MetricsIT {
    static final Path FIXTURE = Path.of("src/test/data/hosts/prometheus-procfs").toAbsolutePath();
    static final Pattern METRICS_URL = Pattern.compile("metrics on (http://[0-9.]+:[0-9]+/metrics)");
    static LauncherAgent agent;
    static String agentMetrics, mountMetrics;
    static Path mount, certs;

    @BeforeAll
    static void startAgentAndMount() throws Exception {
        agent = LauncherAgent.start("far", "here", FIXTURE);
        agentMetrics = agent.metricsUrl();
        int agentPort = agent.port();
        certs = agent.certs();
        mount = Files.createTempDirectory("procsys-metrics-");
        Commands.Result r = Commands.procsys("mount", "--name", "here", "--peer", "far=127.0.0.1:" + agentPort, "--certs-dir", certs.toString(),
                "--cache-ms", "5000", "--metrics-listen", "127.0.0.1:0", mount.toString());
        assertEquals(0, r.exit(), r.all());
        Matcher m = METRICS_URL.matcher(r.err());
        assertTrue(m.find(), "the ready line says where the metrics are: " + r.err());
        mountMetrics = m.group(1);
        ClusterMountIT.waitFor(() -> Files.isDirectory(mount.resolve("hosts/far/net")), 10_000, "peer far up");
    }

    /** The URL of the agent's metrics, from the line it prints once ready (its stderr). */
    static String readyUrl(Process p) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = err.readLine()) != null) {
            seen.add(line);
            Matcher m = METRICS_URL.matcher(line);
            if (line.startsWith("procsys: agent") && m.find()) {
                Thread.ofVirtual().start(() -> drain(err));
                return m.group(1);
            }
        }
        throw new AssertionError("the agent ended before it was ready: " + seen);
    }

    private static void drain(BufferedReader in) {
        try {
            while (in.readLine() != null) {
                // the agent's later warnings: not needed
            }
        } catch (IOException ignored) {
            // closed with the process
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (mount != null) {
            Commands.procsys("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
        if (agent != null) agent.close();
    }

    static String scrape(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    /** The value of the sample of metric {@code name} with exactly the labels {@code labels} (name, value, ...), or fails. */
    static double value(String exposition, String name, String... labels) {
        java.util.Map<String, String> wanted = new java.util.TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) wanted.put(labels[i], labels[i + 1]);
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String line : exposition.lines().toList()) {
            if (line.startsWith("#") || !line.startsWith(name)) continue;
            String rest = line.substring(name.length());
            java.util.Map<String, String> found = new java.util.TreeMap<>();
            if (rest.startsWith("{")) {
                int close = rest.indexOf("} ");
                Matcher m = label.matcher(rest.substring(1, close));
                while (m.find()) found.put(m.group(1), m.group(2));
                rest = rest.substring(close + 1);
            }
            if (!rest.startsWith(" ") || !found.equals(wanted)) continue;
            return Double.parseDouble(rest.strip().split(" ")[0]);
        }
        throw new AssertionError("no sample " + name + wanted + " in:\n" + exposition);
    }

    /** promtool, which must be there (a missing one fails the test). */
    static Commands.Result promtool(List<String> args, String stdin) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertTrue(Files.isExecutable(promtool), "promtool is missing: apt-get install -y prometheus (scripts/setup.sh installs it)");
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool ended");
        return new Commands.Result(p.exitValue(), out, "");
    }

    @Test
    void bothEndpointsServeTheSeriesOfWhatWasRead() throws Exception {
        // a combined file twice (the second within --cache-ms: a hit), a host's own file, the root's listing
        assertTrue(Files.readString(mount.resolve("meminfo")).startsWith("MemTotal:"));
        assertTrue(Files.readString(mount.resolve("meminfo")).startsWith("MemTotal:"));
        assertTrue(Files.readString(mount.resolve("hosts/far/loadavg")).split(" ").length == 5);
        try (var names = Files.list(mount)) {
            assertTrue(names.count() > 10);
        }

        String m = scrape(mountMetrics);
        assertEquals(1, value(m, "procsys_peer_up", "peer", "far"));
        assertTrue(value(m, "procsys_peer_requests_total", "peer", "far") >= 2, "meminfo, loadavg and more went to far");
        assertTrue(value(m, "procsys_peer_round_trip_seconds", "peer", "far") > 0);
        assertTrue(value(m, "procsys_peer_round_trip_seconds", "peer", "far") < 1);
        assertTrue(value(m, "procsys_peer_process_table_fetches_total", "peer", "far") >= 1, "listing the root fetches far's process table");
        assertTrue(value(m, "procsys_peer_process_table_bytes_total", "peer", "far") > 100);
        assertEquals(0, value(m, "procsys_peer_errors_total", "kind", "timeout", "peer", "far"));
        assertTrue(value(m, "procsys_combined_file_cache_misses_total") >= 1);
        assertTrue(value(m, "procsys_combined_file_cache_hits_total", "how", "reused") >= 1, "the second meminfo reused the first's fan-out");
        for (String op : List.of("lookup", "open", "read", "opendir", "readdir", "release")) {
            assertTrue(value(m, "procsys_fuse_operation_duration_seconds_count", "op", op) > 0, op);
        }
        assertTrue(value(m, "procsys_fuse_operation_duration_seconds_bucket", "op", "read", "le", "+Inf")
                == value(m, "procsys_fuse_operation_duration_seconds_count", "op", "read"));
        assertTrue(m.contains("# TYPE procsys_fuse_operation_duration_seconds histogram"), m);

        String a = scrape(agentMetrics);
        assertTrue(value(a, "procsys_agent_requests_total", "kind", "read") >= 2, "meminfo and loadavg");
        assertTrue(value(a, "procsys_agent_requests_total", "kind", "table") >= 1);
        assertTrue(value(a, "procsys_agent_sent_bytes_total") > 1000);
        assertTrue(value(a, "procsys_agent_connections_total") >= 1);
        assertTrue(value(a, "procsys_agent_tls_handshakes_total", "result", "success") >= 1, "the mount's handshake");
        for (String page : List.of(m, a)) {
            double left = value(page, "procsys_tls_certificate_expiry_seconds");
            assertTrue(left > 86_400 && left < 3.7e8, "seconds left on a new certificate: " + left);
        }
        value(a, "procsys_agent_request_failures_total", "kind", "stat");

        for (String page : List.of(m, a)) {
            Commands.Result check = promtool(List.of("check", "metrics"), page);
            assertEquals(0, check.exit(), "promtool check metrics: " + check.out());
        }
    }

    @Test
    void theAlertingRuleIsValidAndFiresAfterAMinuteDown() throws Exception {
        Path rules = Path.of("..", "deploy", "prometheus").toAbsolutePath().normalize();
        Commands.Result check = promtool(List.of("check", "rules", rules.resolve("procsys-alerts.yaml").toString()), null);
        assertEquals(0, check.exit(), check.out());
        Commands.Result test = promtool(List.of("test", "rules", rules.resolve("procsys-alerts.test.yaml").toString()), null);
        assertEquals(0, test.exit(), test.out());
    }

    @Test
    void aBadAddressOrAPortInUseIsOneLine() throws Exception {
        Path target = Files.createTempDirectory("procsys-metrics-bad-");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliIT.assertUserError(Commands.procsys("mount", "--metrics-listen", "nonsense", target.toString()),
                    "--metrics-listen 'nonsense' is not HOST:PORT");
            CliIT.assertUserError(Commands.procsys("mount", "--metrics-listen", "127.0.0.1:" + taken.getLocalPort(), target.toString()),
                    "cannot serve metrics on 127.0.0.1:" + taken.getLocalPort());
            CliIT.assertUserError(Commands.procsys("agent", "--listen", "127.0.0.1:0", "--insecure", "--warmup", "0",
                    "--metrics-listen", "127.0.0.1:" + taken.getLocalPort()), "cannot serve metrics on");
            assertTrue(!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + target + " "), "nothing left mounted");
        } finally {
            Files.deleteIfExists(target);
        }
    }
}
