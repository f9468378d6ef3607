package io.procsys.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `procsys demo`: agents in their own network and pid namespaces (a real, different /proc each:
 * every agent is pid 1 of its namespace), combined over veth links with mutual TLS, then all of
 * it removed.
 */
class DemoIT {
    @Test
    void demoShowsEveryNamespacedHostAndCleansUp() throws IOException {
        Path mount = Files.createTempDirectory("procsys-demo-it-");
        Commands.Result r = Commands.run(List.of(Commands.launcher().toString(), "demo", "--hosts", "2",
                "--serve-seconds", "1", "--mount", mount.toString()), 180);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("demo1 at 10.231.1.2:7070: UP") && r.out().contains("demo2 at 10.231.2.2:7070: UP"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("Mem:")), "free ran through the mount");
        // the demo's mount has a mount's sockets: procsys status answers, and exec's supervisor is the daemon's (no JVM fallback)
        assertTrue(r.out().lines().anyMatch(l -> l.matches("demo1\\s+10\\.231\\.1\\.2:7070\\s+UP\\s.*")), r.out());
        assertFalse(r.all().contains("supervises no exec"), r.all());
        // each agent is pid 1 of its own pid namespace: two processes without a parent, each under a cluster pid (≥ 2^22) of its own
        assertEquals(2, r.out().lines().filter(l -> l.matches("^\\S+\\s+[0-9]{7,10}\\s+0\\s.*agent.*"))
                .map(l -> l.strip().split("\\s+")[1]).filter(pid -> Long.parseLong(pid) >= 1L << 22).distinct().count(), r.out());
        assertNothingLeft(mount, r.out());
    }

    /** SIGTERM (`timeout 60 procsys demo`, systemd, kill) while it serves: exit 0 and nothing left behind. */
    @Test
    void sigtermWhileServingCleansUp() throws Exception {
        stopDemoOnceItPrints("procsys demo: serving;");
    }

    /** SIGTERM while the hosts are being made: whatever was made is removed. */
    @Test
    void sigtermDuringSetUpCleansUp() throws Exception {
        stopDemoOnceItPrints("procsys demo: host demo2:");
    }

    private static void stopDemoOnceItPrints(String line) throws Exception {
        Path mount = Files.createTempDirectory("procsys-demo-it-");
        Process demo = new ProcessBuilder(Commands.launcher().toString(), "demo", "--hosts", "2", "--mount", mount.toString())
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            long end = System.currentTimeMillis() + 120_000;
            String l;
            while ((l = reader.readLine()) != null) {
                out.append(l).append('\n');
                if (l.startsWith(line)) break;
                assertTrue(System.currentTimeMillis() < end, "no '" + line + "' in 120 s: " + out);
            }
            assertTrue(out.toString().contains(line), out.toString());
            demo.toHandle().destroy(); // SIGTERM to the JVM (the launcher execs it); Process.destroy would close our end of its output
            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> reader.lines().forEach(x -> out.append(x).append('\n')));
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "demo still running 60 s after SIGTERM: " + out);
            rest.get(10, TimeUnit.SECONDS);
        } finally {
            demo.destroyForcibly();
        }
        assertEquals(0, demo.exitValue(), out.toString());
        assertTrue(out.toString().contains("procsys demo: SIGTERM received"), out.toString());
        assertNothingLeft(mount, out.toString());
    }

    /** No namespace, link, mount, agent or certificate directory of the demo is left. */
    private static void assertNothingLeft(Path mount, String out) throws IOException {
        assertFalse(Commands.run("ip", "netns", "list").out().contains("procsys-demo"), "namespaces removed");
        assertFalse(Commands.run("ip", "link").out().contains("psdemo"), "links removed");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mount + " "), "unmounted");
        assertFalse(Files.exists(io.procsys.daemon.StandInNetwork.pinOf(mount)), "the mount's stand-in network removed");
        assertEquals("", Commands.run("pgrep", "-f", "agent --listen 10\\.231\\.[0-9]+\\.2:7070 --name demo").out().strip(), "agents stopped");
        Matcher certs = Pattern.compile("certificates in (\\S+)").matcher(out);
        assertTrue(certs.find(), out);
        assertFalse(Files.exists(Path.of(certs.group(1))), "certificate directory removed: " + certs.group(1));
        Files.deleteIfExists(mount);
    }
}
