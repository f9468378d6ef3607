package io.procsys.it;

import io.procsys.history.Frame;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent started as users start it (the launcher, its heap) records a host of thousands of
 * tasks: a pid namespace of 300 processes and 2 000 threads, as a busy server has (a JVM alone
 * runs hundreds of threads). Found by hand: on a build machine of ~700 tasks every frame failed
 * with OutOfMemoryError in the agent's 16-MB heap, and the recording stayed empty.
 */
class HistoryLargeHostIT {
    static final int PROCESSES = 300, THREADS = 2000;
    /** The load: pid 1 of its namespace, with its children and threads, all asleep. */
    static final String LOAD = """
            import subprocess, threading, time
            children = [subprocess.Popen(["sleep", "3600"]) for _ in range(%d)]
            stop = threading.Event()
            threads = [threading.Thread(target=stop.wait, daemon=True) for _ in range(%d)]
            for t in threads: t.start()
            print("ready", flush=True)
            time.sleep(3600)
            """.formatted(PROCESSES, THREADS);

    static Path dir;
    static Process load, agent;

    @BeforeAll
    static void recordALargeHost() throws Exception {
        dir = Files.createTempDirectory("procsys-large-host-");
        load = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/usr/bin/python3", "-c", LOAD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true).start();
        String ready = new String(load.getInputStream().readNBytes(6));
        assertEquals("ready\n", ready, "the load started");
        long init = load.children().findFirst().orElseThrow(() -> new AssertionError("no pid 1 in the namespace")).pid();
        int port = SamplingIT.freePort();
        agent = new ProcessBuilder(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port, "--insecure", "--name", "big",
                "--warmup", "0", "--proc-root", "/proc/" + init + "/root/proc", "--record", dir.toString(),
                "--record-interval", "1s", "--record-block", "2s")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("agent.log").toFile()).redirectErrorStream(true).start();
        long end = System.currentTimeMillis() + 30_000;
        while (frames().size() < 4 && System.currentTimeMillis() < end) Thread.sleep(250);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (agent != null) agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (load != null) {
            load.descendants().forEach(ProcessHandle::destroyForcibly);
            load.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static List<Frame> frames() throws IOException {
        Path host = dir.resolve("big");
        List<Frame> out = new ArrayList<>();
        if (!Files.isDirectory(host)) return out;
        for (List<Segment.Block> seg : new StoreReader(host).segments(0, Long.MAX_VALUE / 2, 1 << 28).segments()) {
            out.addAll(Segment.decode(seg).frames());
        }
        return out;
    }

    static String agentLog() throws IOException {
        return Files.readString(dir.resolve("agent.log"));
    }

    @Test
    void everyFrameOfAHostOfThousandsOfTasksIsStored() throws IOException {
        List<Frame> frames = frames();
        String log = agentLog();
        assertFalse(log.contains("frame failed"), "no frame failed: " + log.lines().limit(20).toList());
        assertTrue(frames.size() >= 4, frames.size() + " frames stored in 30 s at 1 s: " + log.lines().limit(20).toList());
        Frame last = frames.getLast();
        assertTrue(last.tasks().size() >= PROCESSES + THREADS, last.tasks().size() + " tasks in a frame, threads included");
        System.out.println("HistoryLargeHostIT: " + frames.size() + " frames of " + last.tasks().size() + " tasks; the last took "
                + last.buildMicros() / 1000 + " ms to take");
    }
}
