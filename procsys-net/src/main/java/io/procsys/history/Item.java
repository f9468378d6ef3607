package io.procsys.history;

import java.util.Arrays;

/**
 * One recorded file or link of a host as it was read: its text as a template and integers, or
 * the errno the read gave (a file procfs refused, or one the export policy keeps back).
 */
public record Item(Kind kind, Template template, long[] values, int errno) {
    public enum Kind { FILE, LINK, ERROR }

    public static Item file(byte[] text) {
        Template.Split s = Template.split(text);
        return new Item(Kind.FILE, s.template(), s.values(), 0);
    }

    public static Item link(byte[] text) {
        Template.Split s = Template.split(text);
        return new Item(Kind.LINK, s.template(), s.values(), 0);
    }

    public static Item error(int errno) {
        return new Item(Kind.ERROR, null, null, errno);
    }

    public boolean failed() {
        return kind == Kind.ERROR;
    }

    /** The bytes as they were read (a link's text for a link). */
    public byte[] text() {
        if (failed()) throw new IllegalStateException("a failed read has no text");
        return template.render(values);
    }

    /** Whether {@code other} holds what this holds (the same bytes, or the same errno). */
    public boolean same(Item other) {
        return other != null && kind == other.kind && errno == other.errno && (failed() || template.equals(other.template)
                && Arrays.equals(values, other.values));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Item i && same(i);
    }

    @Override
    public int hashCode() {
        return failed() ? errno : 31 * template.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return failed() ? "Item[errno " + errno + "]" : "Item[" + kind + " " + new String(text(), java.nio.charset.StandardCharsets.ISO_8859_1) + "]";
    }
}
