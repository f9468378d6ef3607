package io.procsys.fs.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableErrorsTest {
    final List<String> logged = new ArrayList<>();
    final Logger logger = Logger.getLogger("io.procsys.fs.cluster");
    final Handler capture = new Handler() {
        public void publish(LogRecord r) {
            logged.add(r.getMessage());
        }

        public void flush() {}

        public void close() {}
    };
    final AtomicLong now = new AtomicLong(5_000_000_000L);

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    @Test
    void everyErrorIsCountedAndKeptButLoggedOnceAMinutePerHost() {
        TableErrors errors = new TableErrors("b", now::get);
        assertEquals("", errors.last());
        assertNull(errors.lastAt());
        errors.record("left out of a listing: late");
        errors.record("left out of a listing: later");
        now.addAndGet(TableErrors.LOG_EVERY.toNanos() - 1);
        errors.record("left out of a listing: latest");
        assertEquals(3, errors.count());
        assertEquals("left out of a listing: latest", errors.last());
        assertNotNull(errors.lastAt());
        assertEquals(List.of("host b: left out of a listing: late"), logged);

        now.addAndGet(1);
        errors.record("process table cut short");
        assertEquals(2, logged.size(), logged.toString());
        assertTrue(logged.get(1).startsWith("host b: process table cut short (and 2 more since the last line"), logged.get(1));
    }

    @Test
    void hostsAreLoggedEachOnTheirOwn() {
        new TableErrors("a", now::get).record("left out of a listing: down");
        new TableErrors("c", now::get).record("left out of a listing: down");
        assertEquals(2, logged.size(), logged.toString());
    }
}
