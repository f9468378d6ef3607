package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One line cut into whitespace-separated fields, remembering where each field is, so that one
 * field can be replaced while every other byte of the line stays as it was.
 *
 * <p>Whitespace is what C's {@code scanf} skips (space, tab, \v, \f, \r): the tools that read
 * these files use {@code scanf}, so a field is exactly what they will see.
 */
final class Columns {
    private final String line;
    private final int[] starts;
    private final int[] ends;

    private Columns(String line, int[] starts, int[] ends) {
        this.line = line;
        this.starts = starts;
        this.ends = ends;
    }

    static Columns of(String line) {
        int[] starts = new int[8];
        int[] ends = new int[8];
        int count = 0;
        for (int start = fieldStart(line, 0); start < line.length(); start = fieldStart(line, ends[count - 1])) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            starts[count] = start;
            ends[count++] = fieldEnd(line, start);
        }
        return new Columns(line, Arrays.copyOf(starts, count), Arrays.copyOf(ends, count));
    }

    /** Where the next field starts at or after {@code i}: the line's length if none does. */
    private static int fieldStart(String line, int i) {
        while (i < line.length() && isBlank(line.charAt(i))) i++;
        return i;
    }

    /** Where the field starting at {@code start} ends. */
    private static int fieldEnd(String line, int start) {
        int i = start;
        while (i < line.length() && !isBlank(line.charAt(i))) i++;
        return i;
    }

    /** The first field of {@code line} ("" if it has none). */
    static String firstField(String line) {
        int start = fieldStart(line, 0);
        return line.substring(start, fieldEnd(line, start));
    }

    static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\r';
    }

    String line() {
        return line;
    }

    int count() {
        return starts.length;
    }

    String field(int i) {
        return line.substring(starts[i], ends[i]);
    }

    /**
     * The numbers ≥ 0 after the first field of {@code line}, read in place into one array: for
     * lines of tens of thousands of fields (stat's intr) where positions per field would cost more
     * than the numbers.
     */
    static long[] unsignedAfterFirst(String line, String what) {
        int count = -1; // the first field is not a number
        for (int i = fieldStart(line, 0); i < line.length(); i = fieldStart(line, fieldEnd(line, i))) count++;
        long[] numbers = new long[Math.max(count, 0)];
        int start = fieldStart(line, fieldEnd(line, fieldStart(line, 0)));
        for (int n = 0; start < line.length(); n++) {
            int end = fieldEnd(line, start);
            numbers[n] = Numbers.parseUnsigned(line, start, end, what);
            start = fieldStart(line, end);
        }
        return numbers;
    }

    /** Only the first number after the first field (stat's intr total), the rest of the line unread. */
    static long[] firstUnsignedAfterFirst(String line, String what) {
        int start = fieldStart(line, fieldEnd(line, fieldStart(line, 0)));
        if (start >= line.length()) return new long[0];
        return new long[] {Numbers.parseUnsigned(line, start, fieldEnd(line, start), what)};
    }

    /** Field {@code i} as a number ≥ 0, read in place. */
    long unsigned(int i, String what) {
        return Numbers.parseUnsigned(line, starts[i], ends[i], what);
    }

    /** The column just after field {@code i}. */
    int end(int i) {
        return ends[i];
    }

    List<String> fields() {
        List<String> fields = new ArrayList<>(count());
        for (int i = 0; i < count(); i++) {
            fields.add(field(i));
        }
        return fields;
    }

    /** Throws unless the line has exactly one of the given numbers of fields. */
    Columns requireCount(String what, int... allowed) {
        for (int n : allowed) {
            if (count() == n) {
                return this;
            }
        }
        throw new MalformedPartException(what + " line has " + count() + " fields: \"" + shorten(line) + "\"");
    }

    Columns requireAtLeast(String what, int minimum) {
        if (count() < minimum) {
            throw new MalformedPartException(what + " line has " + count() + " < " + minimum + " fields: \"" + shorten(line) + "\"");
        }
        return this;
    }

    /**
     * The line with field {@code i} replaced, left-aligned: it starts where the old field started;
     * a longer value takes the padding after it (keeping one blank before the next field), a
     * shorter one is padded. For {@code %-40s}-style and plain {@code %s}/{@code %lu} columns.
     */
    String replaceLeftAligned(int i, String value) {
        int gapEnd = i + 1 < count() ? starts[i + 1] : line.length();
        int spare = gapEnd - ends[i] - (i + 1 < count() ? 1 : 0);
        int grow = value.length() - (ends[i] - starts[i]);
        int resumeAt = grow > 0 ? ends[i] + Math.min(grow, spare) : ends[i];
        String pad = grow < 0 ? " ".repeat(-grow) : "";
        return line.substring(0, starts[i]) + value + pad + line.substring(resumeAt);
    }

    /**
     * The line with field {@code i} replaced, right-aligned: it ends where the old field ended; a
     * longer value takes the padding before it (keeping one blank after the previous field), a
     * shorter one is padded. For {@code %6s}/{@code %8lu}-style columns.
     */
    String replaceRightAligned(int i, String value) {
        int gapStart = i > 0 ? ends[i - 1] : 0;
        int spare = starts[i] - gapStart - (i > 0 ? 1 : 0);
        int grow = value.length() - (ends[i] - starts[i]);
        int cutFrom = grow > 0 ? starts[i] - Math.min(grow, spare) : starts[i];
        String pad = grow < 0 ? " ".repeat(-grow) : "";
        return line.substring(0, cutFrom) + pad + value + line.substring(ends[i]);
    }

    static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
