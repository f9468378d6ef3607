package io.procsys.fs.history;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times as users write them for --at and seek, and as a view of the past shows them. */
public final class Times {
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern AGO = Pattern.compile("-?(\\d{1,9})\\s*(s|sec|m|min|h|d)(\\s+ago)?");

    private Times() {}

    /**
     * {@code text} as wall-clock milliseconds: "2026-12-07 03:12[:05]" or "2026-12-07T03:12:05" (this
     * host's time zone), "03:12[:05]" (today), "@EPOCH" (seconds), "-10m" / "10 min ago" (s, m,
     * h, d). IllegalArgumentException with a one-line reason otherwise.
     */
    public static long parse(String text, long nowMillis, ZoneId zone) {
        String t = text.strip();
        try {
            if (t.startsWith("@")) return Math.multiplyExact(Long.parseLong(t.substring(1)), 1000L);
            Matcher ago = AGO.matcher(t);
            if (ago.matches() && (t.startsWith("-") || ago.group(3) != null)) {
                long n = Long.parseLong(ago.group(1));
                long unit = switch (ago.group(2)) {
                    case "s", "sec" -> 1000L;
                    case "m", "min" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 86_400_000L;
                };
                return nowMillis - n * unit;
            }
            if (t.length() <= 8 && t.contains(":")) {
                LocalDate today = Instant.ofEpochMilli(nowMillis).atZone(zone).toLocalDate();
                return LocalTime.parse(t).atDate(today).atZone(zone).toInstant().toEpochMilli();
            }
            String iso = t.replace(' ', 'T');
            if (iso.length() == 16) iso += ":00";
            return LocalDateTime.parse(iso).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: give \"2026-12-07 03:12\", \"03:12\", \"10 min ago\", \"-2h\" or \"@1765000000\"");
        }
    }

    /** A time as this host's local time, to the second. */
    public static String format(long millis) {
        return SHOWN.format(Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault()));
    }
}
