package io.procsys.fs.access;

import java.util.Arrays;

/**
 * A task's ids as its /proc/PID/status shows them: the Uid and Gid lines (real, effective, saved,
 * filesystem) and the supplementary Groups. Ids are unsigned 32-bit values (up to 4294967294),
 * kept as Java ints of the same bits.
 */
public record TaskIds(int[] uids, int[] gids, int[] groups) {
    /** The ids of a status text, or null if its Uid or Gid line is missing or cut short. */
    public static TaskIds parse(String status) {
        int[] uids = ids(line(status, "Uid:"), 4);
        int[] gids = ids(line(status, "Gid:"), 4);
        if (uids == null || gids == null) return null;
        String groupsLine = line(status, "Groups:");
        int[] groups = groupsLine == null ? new int[0] : ids(groupsLine, -1);
        return new TaskIds(uids, gids, groups == null ? new int[0] : groups);
    }

    public int realUid() {
        return uids[0];
    }

    public int effectiveUid() {
        return uids[1];
    }

    public int savedUid() {
        return uids[2];
    }

    public int fsUid() {
        return uids[3];
    }

    public int fsGid() {
        return gids[3];
    }

    /**
     * The uid and gid half of the kernel's ptrace_may_access for a reader without
     * CAP_SYS_PTRACE: the reader's fsuid is the task's real, effective and saved uid, and its
     * fsgid the task's real, effective and saved gid (supplementary groups do not count).
     */
    public boolean sameOwner(Reader reader) {
        return uids[0] == reader.uid() && uids[1] == reader.uid() && uids[2] == reader.uid()
                && gids[0] == reader.gid() && gids[1] == reader.gid() && gids[2] == reader.gid();
    }

    /** The text after {@code key} at the start of a line, up to its newline (null: no such whole line). */
    private static String line(String text, String key) {
        int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (at < 0) return null;
        int start = at == 0 ? key.length() : at + 1 + key.length();
        int end = text.indexOf('\n', start);
        return end < 0 ? null : text.substring(start, end);
    }

    /** The ids of a line ({@code count} of them, or any number with -1); null if one is not an unsigned 32-bit number. */
    private static int[] ids(String line, int count) {
        if (line == null) return null;
        String[] words = line.trim().isEmpty() ? new String[0] : line.trim().split("\\s+");
        if (count >= 0 && words.length != count) return null;
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            try {
                long id = Long.parseLong(words[i]);
                if (id < 0 || id > 0xffffffffL) return null;
                out[i] = (int) id;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskIds t && Arrays.equals(uids, t.uids) && Arrays.equals(gids, t.gids) && Arrays.equals(groups, t.groups);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(uids) * 31 + Arrays.hashCode(gids);
    }
}
