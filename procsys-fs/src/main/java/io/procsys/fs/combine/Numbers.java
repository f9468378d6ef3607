package io.procsys.fs.combine;

import java.util.Arrays;
import java.util.Locale;

/** Number parsing and summing for /proc values: strict, and failing as a malformed part. */
final class Numbers {
    private Numbers() {
    }

    /** A decimal integer, optionally negative (snmp's {@code MaxConn -1}); no overflow allowed. */
    static long parseLong(String token, String what) {
        int digitsFrom = token.startsWith("-") ? 1 : 0;
        if (token.length() == digitsFrom || token.length() > 20) {
            throw malformed(token, what);
        }
        for (int i = digitsFrom; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                throw malformed(token, what);
            }
        }
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) { // beyond a long
            throw malformed(token, what);
        }
    }

    /**
     * The decimal integer ≥ 0 in {@code text[start, end)}, without making a String of it (stat's
     * intr line can have tens of thousands of numbers); beyond a {@code long} is refused.
     */
    static long parseUnsigned(String text, int start, int end, String what) {
        if (end <= start || end - start > 19) {
            throw malformed(text.substring(start, Math.min(end, start + 40)), what);
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed(text.substring(start, end), what);
            }
            value = value * 10 + (c - '0');
        }
        if (value < 0) { // 19 digits past Long.MAX_VALUE wrap around
            throw malformed(text.substring(start, end), what);
        }
        return value;
    }

    /**
     * Adds {@code b} into {@code a} position-wise, the shorter counting as zero-padded; returns the
     * sum, which is {@code a} itself unless {@code b} is longer. Throws {@link ArithmeticException}
     * on overflow before changing anything.
     */
    static long[] addPositionwiseInPlace(long[] a, long[] b) {
        requireNoOverflow(a, b);
        long[] sum = b.length > a.length ? Arrays.copyOf(a, b.length) : a;
        for (int i = 0; i < b.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }

    /** Throws {@link ArithmeticException} if a position-wise sum of {@code a} and {@code b} would overflow. */
    static void requireNoOverflow(long[] a, long[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            Math.addExact(a[i], b[i]);
        }
    }

    /** A decimal integer ≥ 0 that fits a {@code long} (kernel unsigned values beyond it are refused). */
    static long parseUnsigned(String token, String what) {
        long value = parseLong(token, what);
        if (value < 0 || token.charAt(0) == '-') {
            throw malformed(token, what);
        }
        return value;
    }

    /**
     * A kernel fixed-point value with two decimals ({@code "3152.68"} in uptime, {@code "0.51"} in
     * loadavg), as hundredths, so that sums are exact.
     */
    static long parseHundredths(String token, String what) {
        int dot = token.indexOf('.');
        if (dot < 1 || dot != token.length() - 3) {
            throw malformed(token, what);
        }
        long whole = parseUnsigned(token.substring(0, dot), what);
        long fraction = parseUnsigned(token.substring(dot + 1), what);
        return Math.addExact(Math.multiplyExact(whole, 100), fraction);
    }

    static String formatHundredths(long hundredths) {
        return (hundredths / 100) + "." + String.format(Locale.ROOT, "%02d", hundredths % 100);
    }

    static MalformedPartException malformed(String token, String what) {
        String shown = token.length() > 40 ? token.substring(0, 40) + "…" : token;
        return new MalformedPartException("bad " + what + ": \"" + shown + "\"");
    }
}
