package io.procsys.cli;

import io.procsys.daemon.RunningAgent;
import io.procsys.daemon.UserError;
import io.procsys.history.Recorder;
import picocli.CommandLine.Option;

import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** --record and its settings (agent and node): this host's past, kept for `procsys mount --at` (docs/history.md). */
final class RecordOptions {
    @Option(names = "--record", paramLabel = "DIR",
            description = "Record this host's processes and system files every --record-interval into DIR/NAME/ (one pair of files a day), "
                    + "and answer mounts that ask for its past (procsys mount --at). Off by default.")
    Path dir;

    @Option(names = "--record-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "Time between two frames of the recording (default: ${DEFAULT-VALUE}; at least 100ms).")
    String interval;

    @Option(names = "--record-keep-days", paramLabel = "DAYS", defaultValue = "" + Recorder.Settings.KEEP_DAYS,
            description = "Whole days of recording kept (default: ${DEFAULT-VALUE}).")
    int keepDays;

    @Option(names = "--record-max-size", paramLabel = "SIZE", defaultValue = "1G",
            description = "Most bytes the recording takes (default: ${DEFAULT-VALUE}): past it the oldest days go; today alone past it stops recording until tomorrow.")
    String maxSize;

    @Option(names = "--record-block", paramLabel = "DURATION", defaultValue = "60s",
            description = "How often recorded frames reach the disk, compressed together (default: ${DEFAULT-VALUE}): a killed agent loses at most that much.")
    String block;

    @Option(names = "--record-segment", paramLabel = "DURATION", defaultValue = "1h",
            description = "Time between two key frames, each a full frame the ones after it are decoded from (default: ${DEFAULT-VALUE}).")
    String segment;

    @Option(names = "--record-thin-after", paramLabel = "DAYS", defaultValue = "2",
            description = "Days before the last DAYS (today counted) keep one frame a minute, the first of each (default: ${DEFAULT-VALUE}: "
                    + "today and yesterday whole); 0 never thins.")
    int thinAfter;

    @Option(names = "--archive-to", paramLabel = "DIR|HOST:PORT",
            description = "Also copy every closed block to DIR/NAME/ (a disk a mount reads with --history DIR), or push it over mutual TLS "
                    + "to the agent at HOST:PORT (agent --accept-archives), so this host's past is served after the host is gone.")
    String archive;

    @Option(names = "--accept-archives", paramLabel = "DIR",
            description = "Keep the blocks other agents push (--archive-to HOST:PORT) in DIR/NAME/, NAME their certificate's, and "
                    + "serve their past to mounts that ask this agent (mount --at T --peer THIS=HOST:PORT shows hosts/NAME/), or read "
                    + "DIR with mount --history DIR. Needs TLS. Off by default: they are refused.")
    Path acceptArchives;

    /** Starts recording through {@code agent} when --record was given, and accepting archives when asked; {@code clientTls}: null with --insecure. */
    void startOn(RunningAgent agent, SslContext clientTls) {
        if (acceptArchives != null) {
            if (clientTls == null) throw new UserError("--accept-archives needs TLS: blocks are kept under the pushing agent's certificate name", 2);
            agent.acceptArchives(acceptArchives);
        }
        if (dir == null) {
            if (archive != null) throw new UserError("--archive-to copies what --record records: give --record DIR too", 2);
            return;
        }
        Recorder.Settings settings;
        try {
            settings = new Recorder.Settings(Durations.parse(interval, "--record-interval"), Durations.parse(block, "--record-block"),
                    Durations.parse(segment, "--record-segment"), keepDays, Sizes.parse(maxSize, "--record-max-size"), 9);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        }
        if (settings.block().compareTo(settings.interval()) < 0) throw new UserError("--record-block must be at least --record-interval", 2);
        if (thinAfter < 0) throw new UserError("--record-thin-after takes 0 (never) or a number of days", 2);
        InetSocketAddress pushTo = pushAddress(archive);
        if (pushTo != null && clientTls == null) throw new UserError("--archive-to HOST:PORT needs TLS: the receiver names the blocks by this agent's certificate", 2);
        agent.record(dir, settings, archive == null || pushTo != null ? null : Path.of(archive)).thinAfter(thinAfter);
        if (pushTo != null) agent.pushArchiveTo(pushTo, clientTls);
    }

    /** The address of --archive-to HOST:PORT, or null for a directory (one that exists, or any path not ending in :PORT). */
    static InetSocketAddress pushAddress(String archive) {
        if (archive == null || !archive.matches(".+:\\d{1,5}") || Files.isDirectory(Path.of(archive))) return null;
        return Hosts.parseAddress(archive);
    }

    /** Durations as users write them: 10s, 500ms, 5m, 1h, 2d, or a number of seconds. */
    static final class Durations {
        private Durations() {}

        static Duration parse(String text, String option) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?").matcher(text.strip());
            if (!m.matches()) throw new IllegalArgumentException(option + " '" + text + "' is not a duration (10s, 500ms, 5m, 1h, 2d)");
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    /** Sizes as users write them: 500M, 2G, 64K, or bytes. */
    static final class Sizes {
        private Sizes() {}

        static long parse(String text, String option) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})([KMGT]?)i?B?", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(text.strip());
            if (!m.matches()) throw new IllegalArgumentException(option + " '" + text + "' is not a size (500M, 2G)");
            int shift = switch (m.group(2).toUpperCase()) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                case "T" -> 40;
                default -> 0;
            };
            return Long.parseLong(m.group(1)) << shift;
        }
    }
}
