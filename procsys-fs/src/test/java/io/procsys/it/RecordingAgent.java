package io.procsys.it;

import io.procsys.history.Frame;
import io.procsys.history.Segment;
import io.procsys.history.StoreReader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An agent that records this host (issue 40's fault and cluster tests): the launcher, mutual TLS
 * with certificates from `procsys certs`, `--record ROOT` every {@link #INTERVAL_MS} in blocks of
 * {@link #BLOCK_MS}, its log in a file. What it recorded is read back from ROOT/NAME.
 */
record RecordingAgent(String name, Process process, int port, Path recording, Path log) implements AutoCloseable {
    static final long INTERVAL_MS = 500, BLOCK_MS = 2000;

    /** Agent {@code name} recording into {@code root}/NAME, with the certificates in {@code certs}; {@code extra} options after. */
    static RecordingAgent start(String name, Path certs, Path root, Path log, String... extra) throws IOException {
        int port = SamplingIT.freePort();
        List<String> command = new ArrayList<>(List.of(Commands.launcher().toString(), "agent", "--listen", "127.0.0.1:" + port,
                "--name", name, "--certs-dir", certs.toString(), "--warmup", "0", "--record", root.toString(),
                "--record-interval", INTERVAL_MS + "ms", "--record-block", BLOCK_MS + "ms"));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).redirectErrorStream(true).start();
        return new RecordingAgent(name, p, port, root.resolve(name), log);
    }

    /** `--peer NAME=127.0.0.1:PORT` for a mount. */
    String peer() {
        return name + "=127.0.0.1:" + port;
    }

    /** Blocks stored so far, over every day. */
    int blocks() {
        StoreReader reader = new StoreReader(recording);
        return reader.days().stream().mapToInt(d -> reader.entries(d).size()).sum();
    }

    /** Waits until {@code blocks} blocks are stored. */
    void waitForBlocks(int blocks, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!(Files.isDirectory(recording) && blocks() >= blocks)) {
            if (System.currentTimeMillis() > end) throw new AssertionError(name + " has not stored " + blocks + " blocks in " + millis + " ms: " + logText());
            Thread.sleep(100);
        }
    }

    /** The times of the frames stored in {@code hostDirectory} (a recording or an archive of one), oldest first. */
    static List<Long> frameTimes(Path hostDirectory) throws IOException {
        List<Long> times = new ArrayList<>();
        for (List<Segment.Block> seg : new StoreReader(hostDirectory).segments(0, Long.MAX_VALUE / 2, 1 << 28).segments()) {
            for (Frame f : Segment.decode(seg).frames()) times.add(f.timeMillis());
        }
        return times;
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGKILL, as a host that dies: its open block is lost. */
    void kill() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError(name + " did not die");
    }

    @Override
    public void close() throws Exception {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
