package io.procsys.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        // each agent is pid 1 of its own pid namespace: host 1 shows it as 2^22 + 1, host 2 as 2·2^22 + 1
        assertTrue(r.out().lines().anyMatch(l -> l.matches("^\\S+\\s+4194305\\s+0\\s.*agent.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("^\\S+\\s+8388609\\s+0\\s.*agent.*")), r.out());
        assertFalse(Commands.run("ip", "netns", "list").out().contains("procsys-demo"), "namespaces removed");
        assertFalse(Commands.run("ip", "link").out().contains("psdemo"), "links removed");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mount + " "), "unmounted");
        assertEquals("", Commands.run("pgrep", "-f", "agent --listen 10.231").out().strip(), "agents stopped");
        Files.deleteIfExists(mount);
    }
}
