package io.procsys.net.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of the Data answering {@link Message.HistoryHosts}: {@code count:u16}, then each name
 * as {@code length:u8 | ASCII}. Read trusting nothing: at most {@link #MAX_HOSTS} names, each a
 * node name ({@link #HOST_NAME}, the rule of {@code Cluster.NODE_NAME}), none twice, nothing after
 * them; anything else is refused whole with an IllegalArgumentException saying why.
 */
public final class HistoryHostList {
    /** What a listed host may be called: a node name (so never "", "." or "..", and no '/'). */
    public static final String HOST_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    /** Most names one answer lists (a tree node's whole subtree, flattened). */
    public static final int MAX_HOSTS = 1024;
    /** Most bytes of a listing: every name at its longest. */
    public static final int MAX_BYTES = 2 + MAX_HOSTS * 64;

    private HistoryHostList() {}

    /** {@code names} as a listing; IllegalArgumentException for a name that is not a node name, or too many. */
    public static byte[] write(List<String> names) {
        if (names.size() > MAX_HOSTS) throw new IllegalArgumentException(names.size() + " hosts, over " + MAX_HOSTS);
        int size = 2;
        for (String n : names) size += 1 + checkedName(n).length();
        byte[] out = new byte[size];
        out[0] = (byte) (names.size() >>> 8);
        out[1] = (byte) names.size();
        int at = 2;
        for (String n : names) {
            out[at++] = (byte) n.length();
            byte[] ascii = n.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(ascii, 0, out, at, ascii.length);
            at += ascii.length;
        }
        return out;
    }

    /** The names of a listing, checked as the class comment says. */
    public static List<String> read(byte[] bytes) {
        if (bytes.length > MAX_BYTES) throw new IllegalArgumentException("a listing of " + bytes.length + " bytes, over " + MAX_BYTES);
        if (bytes.length < 2) throw new IllegalArgumentException("a listing of " + bytes.length + " bytes, shorter than its count");
        int count = (bytes[0] & 0xff) << 8 | bytes[1] & 0xff;
        if (count > MAX_HOSTS) throw new IllegalArgumentException("a listing of " + count + " hosts, over " + MAX_HOSTS);
        List<String> names = new ArrayList<>(count);
        Set<String> seen = new HashSet<>();
        int at = 2;
        for (int i = 0; i < count; i++) {
            if (at >= bytes.length) throw new IllegalArgumentException("a listing cut short after " + i + " of " + count + " hosts");
            int length = bytes[at++] & 0xff;
            if (at + length > bytes.length) throw new IllegalArgumentException("a listing cut short in host " + (i + 1) + " of " + count);
            String name = checkedName(new String(bytes, at, length, StandardCharsets.ISO_8859_1));
            if (!seen.add(name)) throw new IllegalArgumentException("a listing that names " + name + " twice");
            names.add(name);
            at += length;
        }
        if (at != bytes.length) throw new IllegalArgumentException("a listing with " + (bytes.length - at) + " bytes after its " + count + " hosts");
        return List.copyOf(names);
    }

    /** The names in a reply's bytes, which it releases; EPROTO saying why for a listing that breaks the rules. */
    public static List<String> fromReply(io.netty.buffer.ByteBuf bytes) {
        try {
            if (bytes.readableBytes() > MAX_BYTES) throw new IllegalArgumentException("a listing of " + bytes.readableBytes() + " bytes, over " + MAX_BYTES);
            return read(io.netty.buffer.ByteBufUtil.getBytes(bytes));
        } catch (IllegalArgumentException e) {
            throw new io.procsys.posix.ErrnoException(io.procsys.posix.Errno.EPROTO, "refused its list of hosts: " + e.getMessage());
        } finally {
            bytes.release();
        }
    }

    private static String checkedName(String name) {
        if (!name.matches(HOST_NAME)) {
            throw new IllegalArgumentException("a listed host name that is not letters, digits, '.', '_' or '-' (at most 63): '"
                    + (name.length() > 64 ? name.substring(0, 64) + "..." : name).replaceAll("[^\\x20-\\x7e]", "?") + "'");
        }
        return name;
    }
}
