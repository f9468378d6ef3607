package io.procsys.fs.identity;

/**
 * Names of network interfaces (and disks) of remote hosts, made unique in the cluster and
 * acceptable to the tools: at most 15 bytes ({@code IFNAMSIZ - 1}; ifconfig and route read
 * {@code %15s}), no {@code ':'} (ifconfig reads {@code name:digits} as an alias, net/dev is split
 * at the last ':'), no {@code '/'}, no whitespace or control byte.
 *
 * <p>Scheme: the local host's names (index 0) are unchanged. A name of remote host {@code i} is
 * {@code h<i>-<name>} ({@code eth0} of host 3 is {@code h3-eth0}) when that fits in 15 bytes and
 * the name has only acceptable bytes and no {@code '~'}. Otherwise it is shortened
 * deterministically to {@code h<i>-<head>~<hash>}: {@code head} is the start of the name (bad
 * bytes replaced by {@code '_'}) filling the room left, {@code hash} 6 base-62 digits of the
 * FNV-1a 64-bit hash of the whole name ({@code cali0123456789a} of host 12 becomes
 * {@code h12-cal~Xy3k9Q}-like).
 *
 * <p>Uniqueness: the {@code h<i>-} prefix separates hosts, and a name is one of the two forms by
 * whether it has a {@code '~'} after the prefix, so plain names never collide with anything.
 * Two shortened names of one host collide only if they start alike and their hashes (35.7 bits)
 * are equal: a chance of 1 in 62^6 (5.7·10^10) per pair of such names. A local name that itself looks like
 * {@code h<i>-...} could equal a remote one; procsys does not rename local names to avoid it.
 * Reverse lookup: the index is the digits between {@code h} and the first {@code '-'}; the
 * original name is the rest for a plain name, or the name of that host that maps to it.
 */
public final class InterfaceNames {
    public static final int MAX_BYTES = 15;
    private static final int HASH_DIGITS = 6;
    private static final String BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final long BASE62_POWER = 56_800_235_584L; // 62^6

    private InterfaceNames() {
    }

    /** The cluster-wide name of interface or disk {@code name} of host {@code hostIndex}. */
    public static String forHost(int hostIndex, String name) {
        HostIndex.checked(hostIndex);
        if (hostIndex == 0) {
            return name;
        }
        String prefix = "h" + hostIndex + "-";
        if (prefix.length() + name.length() <= MAX_BYTES && isPlain(name)) {
            return prefix + name;
        }
        int headLength = Math.min(name.length(), MAX_BYTES - prefix.length() - 1 - HASH_DIGITS);
        StringBuilder shortened = new StringBuilder(prefix);
        for (int i = 0; i < headLength; i++) {
            char c = name.charAt(i);
            shortened.append(isAcceptable(c) && c != '~' ? c : '_');
        }
        return shortened.append('~').append(hash(name)).toString();
    }

    /** Whether tools accept {@code name} as an interface name. */
    public static boolean isAcceptable(String name) {
        return !name.isEmpty() && name.length() <= MAX_BYTES && name.chars().allMatch(c -> isAcceptable((char) c));
    }

    private static boolean isPlain(String name) {
        return name.chars().allMatch(c -> isAcceptable((char) c) && c != '~');
    }

    /** Not a blank or control byte (the kernel's latin-1 isspace has 0x85 and 0xa0), not ':' or '/', one byte. */
    private static boolean isAcceptable(char c) {
        return c > ' ' && c != 0x7f && c != ':' && c != '/' && c != 0x85 && c != 0xa0 && c <= 0xff;
    }

    private static String hash(String name) {
        long fnv = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            fnv = (fnv ^ name.charAt(i)) * 0x100000001b3L; // a char is a byte in ISO-8859-1 text
        }
        long value = Long.remainderUnsigned(fnv, BASE62_POWER);
        char[] digits = new char[HASH_DIGITS];
        for (int i = HASH_DIGITS - 1; i >= 0; i--) {
            digits[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(digits);
    }
}
