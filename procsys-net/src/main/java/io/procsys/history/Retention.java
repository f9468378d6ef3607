package io.procsys.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What a recording keeps: whole days, never part of one. Days more than {@code keepDays} before
 * today go; then, while the recording is over {@code maxBytes}, the oldest day goes, today's
 * excepted (a day alone over the bound stops the recording until the next day: {@link #overBound}).
 */
public final class Retention {
    private Retention() {}

    /** What one pass deleted, and whether today alone is still over the bound. */
    public record Pass(List<LocalDate> deleted, boolean overBound) {}

    public static Pass apply(Path dir, LocalDate today, int keepDays, long maxBytes) throws IOException {
        StoreReader reader = new StoreReader(dir);
        List<LocalDate> deleted = new ArrayList<>();
        List<LocalDate> days = new ArrayList<>(reader.days());
        for (LocalDate day : List.copyOf(days)) {
            if (day.isBefore(today.minusDays(keepDays - 1L))) {
                delete(dir, day);
                deleted.add(day);
                days.remove(day);
            }
        }
        long size = reader.sizeBytes();
        while (size > maxBytes && days.size() > 1) {
            LocalDate oldest = days.removeFirst();
            size -= StoreReader.size(DayFiles.index(dir, oldest)) + StoreReader.size(DayFiles.data(dir, oldest));
            delete(dir, oldest);
            deleted.add(oldest);
        }
        return new Pass(deleted, size > maxBytes);
    }

    /** Deletes one day: the index first, so a reader never meets entries without their bytes. */
    static void delete(Path dir, LocalDate day) throws IOException {
        Files.deleteIfExists(DayFiles.index(dir, day));
        Files.deleteIfExists(DayFiles.data(dir, day));
    }
}
