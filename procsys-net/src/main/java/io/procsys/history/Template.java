package io.procsys.history;

import java.util.Arrays;

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

    /**
     * The literals one after another in one array, literal i ending at {@code ends[i]}: a recorder
     * holds two frames of every task's files, and a /proc/PID/status has ~55 literals, so an
     * array each cost 8 MB of object headers on a host of 700 tasks (its 16-MB heap ran out).
     */
    private final byte[] text;
    private final int[] ends;
    private final byte[] widths;
    private final int hash;

    private Template(byte[] text, int[] ends, byte[] widths) {
        if (ends.length != widths.length + 1) throw new IllegalArgumentException("literals must surround the slots");
        this.text = text;
        this.ends = ends;
        this.widths = widths;
        this.hash = 31 * (31 * Arrays.hashCode(text) + Arrays.hashCode(ends)) + Arrays.hashCode(widths);
    }

    Template(byte[][] literals, byte[] widths) {
        this(concatenated(literals), endsOf(literals), widths);
    }

    private static byte[] concatenated(byte[][] literals) {
        int total = 0;
        for (byte[] l : literals) total += l.length;
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] l : literals) {
            System.arraycopy(l, 0, out, at, l.length);
            at += l.length;
        }
        return out;
    }

    private static int[] endsOf(byte[][] literals) {
        int[] ends = new int[literals.length];
        int at = 0;
        for (int i = 0; i < literals.length; i++) ends[i] = at += literals[i].length;
        return ends;
    }

    private int start(int literal) {
        return literal == 0 ? 0 : ends[literal - 1];
    }

    /** A text cut into its template and its integers. */
    public record Split(Template template, long[] values) {}

    public static Split split(byte[] text) {
        return split(text, 0, text.length);
    }

    public static Split split(byte[] text, int from, int length) {
        Output literals = new Output(Math.min(length, 4096));
        int[] ends = new int[17];
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
                    ends = Arrays.copyOf(ends, slots * 2 + 1);
                }
                literals.bytes(text, literalStart, i - literalStart);
                ends[slots] = literals.size();
                widths[slots] = (byte) (fixed ? digits : 0);
                values[slots] = parse(text, i, runEnd);
                slots++;
                literalStart = runEnd;
            }
            i = runEnd;
        }
        literals.bytes(text, literalStart, end - literalStart);
        ends[slots] = literals.size();
        return new Split(new Template(literals.toArray(), Arrays.copyOf(ends, slots + 1), Arrays.copyOf(widths, slots)), Arrays.copyOf(values, slots));
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
        return Arrays.copyOfRange(text, start(i), ends[i]);
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
            out.bytes(text, start(i), ends[i] - start(i));
            int n = toDigits(values[i], digits);
            for (int pad = widths[i] - n; pad > 0; pad--) out.u8('0');
            out.bytes(digits, digits.length - n, n);
        }
        out.bytes(text, start(widths.length), ends[widths.length] - start(widths.length));
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
    int literalIndexOf(byte[] wanted, int fromLiteral) {
        for (int i = fromLiteral; i < ends.length; i++) {
            if (indexOf(text, start(i), ends[i], wanted) >= 0) return i;
        }
        return -1;
    }

    static int indexOf(byte[] in, byte[] wanted) {
        return indexOf(in, 0, in.length, wanted);
    }

    /** Where {@code wanted} is in {@code in}[from, to), or -1. */
    private static int indexOf(byte[] in, int from, int to, byte[] wanted) {
        outer:
        for (int i = from; i + wanted.length <= to; i++) {
            for (int j = 0; j < wanted.length; j++) if (in[i + j] != wanted[j]) continue outer;
            return i - from;
        }
        return -1;
    }

    void writeTo(Output out) {
        out.varint(widths.length);
        for (int i = 0; i < widths.length; i++) {
            out.blob(text, start(i), ends[i] - start(i));
            out.u8(widths[i]);
        }
        out.blob(text, start(widths.length), ends[widths.length] - start(widths.length));
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
        return o instanceof Template t && hash == t.hash && Arrays.equals(widths, t.widths) && Arrays.equals(ends, t.ends) && Arrays.equals(text, t.text);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
