package io.procsys.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * procps and net-tools run through `procsys exec` (the mirror bind-mounted over /proc in a private
 * mount namespace) and compared with the same tool on the real /proc, run right before. Each test
 * states which parts must match and which numbers may move between the two runs.
 */
class RealToolsIT {
    static TestMount mounted;
    static Path mount;

    @BeforeAll
    static void mountMirror() throws IOException {
        mounted = new TestMount(Path.of("/proc"));
        mount = mounted.path;
    }

    @AfterAll
    static void unmountMirror() throws IOException {
        mounted.close();
    }

    /** Runs the tool on /proc, then through procsys; both must exit 0 (each test then compares what cannot move). */
    static String[] both(String... tool) {
        Commands.Result real = Commands.run(List.of(tool), 60);
        Commands.Result mirrored = Commands.throughMirror(mount, tool);
        assertEquals(0, real.exit(), "real " + List.of(tool) + ": " + real.err());
        assertEquals(0, mirrored.exit(), "procsys " + List.of(tool) + ": " + mirrored.err());
        return new String[]{real.out(), mirrored.out()};
    }

    @Test
    void psEf() {
        // UID PID PPID C STIME TTY TIME CMD: C and TIME are CPU figures that move.
        String[] out = both("ps", "-ef");
        ToolOutputs.comparePs(out[0], out[1], 1, 7, 0, 2, 4, 5, 7);
    }

    @Test
    void psAux() {
        // USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND: CPU, memory, state and time move.
        String[] out = both("ps", "aux");
        ToolOutputs.comparePs(out[0], out[1], 1, 10, 0, 6, 8, 10);
    }

    @Test
    void topBatch() {
        String[] out = both("top", "-bn1");
        // the header rows are there with the same shape; memory totals are equal; the task table has the same columns
        for (String prefix : List.of("top - ", "Tasks:", "%Cpu(s):", "MiB Mem :", "MiB Swap:")) {
            ToolOutputs.row(out[1], prefix);
        }
        assertEquals(ToolOutputs.row(out[0], "MiB Mem :")[3], ToolOutputs.row(out[1], "MiB Mem :")[3], "MiB Mem total");
        assertEquals(ToolOutputs.row(out[0], "MiB Swap:")[2], ToolOutputs.row(out[1], "MiB Swap:")[2], "MiB Swap total");
        assertEquals(String.join(" ", taskHeader(out[0])), String.join(" ", taskHeader(out[1])));
    }

    /** top's task table header: PID is as wide as kernel.pid_max (5 digits; 7 where systemd, or a new pid namespace, makes it 2^22). */
    static String[] taskHeader(String top) {
        return ToolOutputs.row(top.lines().map(String::strip).collect(Collectors.joining("\n")), "PID ");
    }

    @Test
    void free() {
        String[] out = both("free");
        assertEquals(out[0].lines().findFirst(), out[1].lines().findFirst(), "header");
        assertEquals(ToolOutputs.row(out[0], "Mem:")[1], ToolOutputs.row(out[1], "Mem:")[1], "Mem total");
        assertEquals(String.join(" ", ToolOutputs.row(out[0], "Swap:")), String.join(" ", ToolOutputs.row(out[1], "Swap:")), "Swap row");
    }

    @Test
    void uptime() {
        // time of day, up time and load move; the wording and layout do not
        String[] out = both("uptime");
        assertEquals(ToolOutputs.shape(out[0]), ToolOutputs.shape(out[1]));
    }

    @Test
    void vmstat() {
        String[] out = both("vmstat");
        List<String> real = out[0].lines().toList(), mirrored = out[1].lines().toList();
        assertEquals(real.subList(0, 2), mirrored.subList(0, 2), "headers");
        assertEquals(ToolOutputs.shape(real.get(2)), ToolOutputs.shape(mirrored.get(2)), "17 numbers");
    }

    @Test
    void netstat() {
        // listening sockets are the same; established ones may come and go
        String[] out = both("netstat", "-tuna");
        assertEquals(out[0].lines().limit(2).toList(), out[1].lines().limit(2).toList(), "headers");
        assertEquals(ToolOutputs.linesWith(out[0], "LISTEN"), ToolOutputs.linesWith(out[1], "LISTEN"));
    }

    @Test
    void ifconfig() {
        // the same interfaces with the same addresses; packet counters move
        String[] out = both("ifconfig", "-a");
        assertEquals(ToolOutputs.interfaces(out[0]), ToolOutputs.interfaces(out[1]));
        assertEquals(ToolOutputs.linesWith(out[0], "inet"), ToolOutputs.linesWith(out[1], "inet"));
        assertEquals(ToolOutputs.shape(out[0]), ToolOutputs.shape(out[1]));
    }

    @Test
    void route() {
        String[] out = both("route", "-n");
        assertEquals(out[0], out[1]);
    }

    @Test
    void arp() {
        String[] out = both("arp", "-n");
        assertEquals(out[0], out[1]);
    }

    @Test
    void execWithoutMountUsesAPrivateMirrorAndKeepsTheExitStatus() {
        Commands.Result real = Commands.run("ps", "-ef");
        Commands.Result ps = Commands.procsys("exec", "--", "ps", "-ef");
        assertEquals(0, ps.exit(), ps.err());
        ToolOutputs.comparePs(real.out(), ps.out(), 1, 7, 0, 2, 4, 5, 7);
        assertEquals(7, Commands.procsys("exec", "--", "sh", "-c", "exit 7").exit());
        Commands.Result fsType = Commands.procsys("exec", "--", "stat", "-f", "-c", "%T", "/proc");
        assertEquals("fuseblk", fsType.out().strip(), "the command's /proc is the FUSE mirror");
        assertTrue(!Files.exists(Path.of("/proc/self/mountinfo")) || Commands.run("grep", "-c", "procsys-exec", "/proc/self/mountinfo").out().strip().equals("0"),
                "the private mirror is gone");
    }
}
