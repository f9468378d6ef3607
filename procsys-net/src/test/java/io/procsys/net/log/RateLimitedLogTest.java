package io.procsys.net.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A log a peer or a user can flood: bounded lines a second, a count of the dropped ones, names that cannot forge a line. */
class RateLimitedLogTest {
    final List<String> lines = new ArrayList<>();
    long now = 0;

    final System.Logger sink = new System.Logger() {
        public String getName() {
            return "test";
        }

        public boolean isLoggable(Level level) {
            return true;
        }

        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    };

    @Test
    void aFloodIsCutToTheRateAndTheNextLineCountsWhatWasDropped() {
        RateLimitedLog log = new RateLimitedLog(sink, 5, () -> now);
        for (int i = 0; i < 1000; i++) log.log(System.Logger.Level.INFO, () -> "signal");
        assertEquals(5, lines.size(), "the burst, then nothing");
        assertEquals(995, log.dropped.sum());
        now += 1_000_000_000L;
        log.log(System.Logger.Level.INFO, () -> "later");
        assertEquals(List.of("995 log lines dropped (more than 5 a second)", "later"), lines.subList(5, 7));
    }

    @Test
    void namesFromElsewhereAreOnePrintableLine() {
        assertEquals("a\\x0aFAKE: done\\x1b[2J\\x5c\\xc3\\xa9", RateLimitedLog.escaped("a\nFAKE: done\u001b[2J\\é"));
        assertEquals("alice", RateLimitedLog.escaped("alice"));
    }
}
