package io.procsys.bench;

import io.procsys.history.BlockEntry;
import io.procsys.history.StoreReader;

import java.nio.file.Path;
import java.time.LocalDate;

/**
 * What a recording (agent --record) costs on disk, from its index: bytes per frame of the blocks
 * without a key frame, what a key frame adds, and the MB a day that makes at the recorded interval
 * with one key frame an hour and 60-s blocks (the defaults). benchmarks/history-size.sh runs it.
 *   HistorySize DIR/HOST INTERVAL_MS
 */
public final class HistorySize {
    private HistorySize() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long intervalMs = Long.parseLong(args[1]);
        StoreReader reader = new StoreReader(dir);
        long deltaBytes = 0, deltaFrames = 0, keyBytes = 0, keyFrames = 0, keyBlocks = 0, blocks = 0;
        for (LocalDate day : reader.days()) {
            for (BlockEntry e : reader.entries(day)) {
                blocks++;
                if (e.key()) {
                    keyBlocks++;
                    keyBytes += e.length();
                    keyFrames += e.frames();
                } else {
                    deltaBytes += e.length();
                    deltaFrames += e.frames();
                }
            }
        }
        if (deltaFrames == 0 || keyBlocks == 0) throw new IllegalStateException("record longer: " + blocks + " blocks, " + deltaFrames + " delta frames");
        double perDelta = (double) deltaBytes / deltaFrames;
        double perKey = (keyBytes - perDelta * (keyFrames - keyBlocks)) / keyBlocks; // a key block's bytes less its delta frames'
        double framesPerDay = 86_400_000.0 / intervalMs;
        double blocksPerDay = 86_400_000.0 / Math.max(60_000, intervalMs);
        double bytesPerDay = (framesPerDay - 24) * perDelta + 24 * perKey + blocksPerDay * BlockEntry.BYTES;
        System.out.printf("frames %d in %d blocks (%d with a key frame)%n", deltaFrames + keyFrames, blocks, keyBlocks);
        System.out.printf("bytes/frame %.0f (delta frames, deflated in blocks), key frame %.0f bytes%n", perDelta, perKey);
        System.out.printf("MB/host/day at %d ms: %.1f (one key frame an hour, an index entry a block)%n", intervalMs, bytesPerDay / 1e6);
    }
}
