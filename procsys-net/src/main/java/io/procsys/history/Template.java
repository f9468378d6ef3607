package io.procsys.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file's text with its numbers cut out: literal byte runs between slots, each slot a decimal
 * integer. A file is stored as a template (shared by every frame, and every process, that prints
 * the same text around its numbers) and a vector of integers, so a counter that moves costs a
 * varint and the rest nothing. Lossless for any bytes: {@link #render} of {@link #split} gives
 * the input back, byte for byte.
 *
 * <p>A digit run is a slot unless it has more than {@link #MAX_DIGITS} digits (then it stays
 * literal). A run after a '.' (a fraction, "0.05") or with a leading zero ("0022") is a slot of
 * fixed width, printed zero-padded, so "0.05" and "0.15" share one template.
 */
public final class Template {
    /** Digits a long holds whatever they are. */
    static final int MAX_DIGITS = 18;
    /** Bounds a decoder holds a template to. */
    static final int MAX_SLOTS = 1 << 16, MAX_LITERAL = 1 << 20;

    private final byte[][] literals;
    private final byte[] widths;
    private final int hash;

    Template(byte[][] literals, byte[] widths) {
        if (literals.length != widths.length + 1) throw new IllegalArgumentException("literals must surround the slots");
        this.literals = literals;
        this.widths = widths;
        this.hash = 31 * Arrays.deepHashCode(literals) + Arrays.hashCode(widths);
    }

    /** A text cut into its template and its integers. */
    public record Split(Template template, long[] values) {}

    public static Split split(byte[] text) {
        return split(text, 0, text.length);
    }

    public static Split split(byte[] text, int from, int length) {
        List<byte[]> literals = new ArrayList<>();
        byte[] widths = new byte[16];
        long[] values = new long[16];
        int slots = 0;
        int end = from + length;
        int literalStart = from;
        int i = from;
        while (i < end) {
            if (!isDigit(text[i])) {
                i++;
                continue;
            }
            int runEnd = i;
            while (runEnd < end && isDigit(text[runEnd])) runEnd++;
            int digits = runEnd - i;
            if (digits <= MAX_DIGITS) {
                boolean fixed = (i > from && text[i - 1] == '.') || (digits > 1 && text[i] == '0');
                if (slots == widths.length) {
                    widths = Arrays.copyOf(widths, slots * 2);
                    values = Arrays.copyOf(values, slots * 2);
                }
                literals.add(Arrays.copyOfRange(text, literalStart, i));
                widths[slots] = (byte) (fixed ? digits : 0);
                values[slots] = parse(text, i, runEnd);
                slots++;
                literalStart = runEnd;
            }
            i = runEnd;
        }
        literals.add(Arrays.copyOfRange(text, literalStart, end));
        return new Split(new Template(literals.toArray(byte[][]::new), Arrays.copyOf(widths, slots)), Arrays.copyOf(values, slots));
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static long parse(byte[] text, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) v = v * 10 + (text[i] - '0');
        return v;
    }

    public int slots() {
        return widths.length;
    }

    /** The literal before slot {@code i} ({@code i == slots()}: the tail). */
    public byte[] literal(int i) {
        return literals[i];
    }

    /** Slot {@code i}'s width: 0 for a plain number, else the digits it is padded to. */
    public int width(int i) {
        return widths[i];
    }

    /** The text with {@code values} in its slots. */
    public byte[] render(long[] values) {
        Output out = new Output(64 + 8 * values.length);
        renderTo(out, values);
        return out.toArray();
    }

    void renderTo(Output out, long[] values) {
        if (values.length != widths.length) throw new IllegalArgumentException(values.length + " values for " + widths.length + " slots");
        byte[] digits = new byte[20];
        for (int i = 0; i < widths.length; i++) {
            out.bytes(literals[i], 0, literals[i].length);
            int n = toDigits(values[i], digits);
            for (int pad = widths[i] - n; pad > 0; pad--) out.u8('0');
            out.bytes(digits, digits.length - n, n);
        }
        byte[] tail = literals[widths.length];
        out.bytes(tail, 0, tail.length);
    }

    /** {@code v} (≥ 0) as decimal digits at the end of {@code into}: how many. */
    private static int toDigits(long v, byte[] into) {
        int at = into.length;
        do {
            into[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        return into.length - at;
    }

    /** Whether the literals hold {@code text} anywhere (roles of slots are found by the text around them). */
    int literalIndexOf(byte[] text, int fromLiteral) {
        for (int i = fromLiteral; i < literals.length; i++) {
            if (indexOf(literals[i], text) >= 0) return i;
        }
        return -1;
    }

    static int indexOf(byte[] in, byte[] text) {
        outer:
        for (int i = 0; i + text.length <= in.length; i++) {
            for (int j = 0; j < text.length; j++) if (in[i + j] != text[j]) continue outer;
            return i;
        }
        return -1;
    }

    void writeTo(Output out) {
        out.varint(widths.length);
        for (int i = 0; i < widths.length; i++) {
            out.blob(literals[i]);
            out.u8(widths[i]);
        }
        out.blob(literals[widths.length]);
    }

    static Template readFrom(Input in) {
        int slots = in.count(MAX_SLOTS);
        byte[][] literals = new byte[slots + 1][];
        byte[] widths = new byte[slots];
        int total = 0;
        for (int i = 0; i <= slots; i++) {
            literals[i] = in.blob(MAX_LITERAL);
            total += literals[i].length;
            if (total > MAX_LITERAL) throw new CorruptHistoryException("template of more than " + MAX_LITERAL + " bytes");
            if (i < slots) {
                int w = in.u8();
                if (w > MAX_DIGITS) throw new CorruptHistoryException("slot width " + w);
                widths[i] = (byte) w;
            }
        }
        return new Template(literals, widths);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template t && hash == t.hash && Arrays.equals(widths, t.widths) && Arrays.deepEquals(literals, t.literals);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
