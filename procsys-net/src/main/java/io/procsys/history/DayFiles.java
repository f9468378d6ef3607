package io.procsys.history;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A host's recording is one pair of files per day (UTC) in its directory: {@code YYYYMMDD.data}
 * (the blocks, back to back) and {@code YYYYMMDD.index} ({@link BlockEntry}s). A segment never
 * spans two days, so each day's files decode alone, and retention deletes whole days.
 */
public final class DayFiles {
    static final DateTimeFormatter NAME = DateTimeFormatter.BASIC_ISO_DATE;
    public static final String DATA = ".data", INDEX = ".index";

    private DayFiles() {}

    public static LocalDate dayOf(long millis) {
        return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate();
    }

    public static long startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    static Path data(Path dir, LocalDate day) {
        return dir.resolve(day.format(NAME) + DATA);
    }

    static Path index(Path dir, LocalDate day) {
        return dir.resolve(day.format(NAME) + INDEX);
    }

    /** The day a file of a recording is of, or null when it is none. */
    static LocalDate dayOfFile(String name) {
        String stem = name.endsWith(INDEX) ? name.substring(0, name.length() - INDEX.length())
                : name.endsWith(DATA) ? name.substring(0, name.length() - DATA.length()) : null;
        if (stem == null || stem.length() != 8) return null;
        try {
            return LocalDate.parse(stem, NAME);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }
}
