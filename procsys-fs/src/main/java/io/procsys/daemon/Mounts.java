package io.procsys.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What /proc/self/mountinfo says about mount points, and how to remove a FUSE mount. */
public final class Mounts {
    /** The filesystem type procsys mounts show ("fuse." + subtype). */
    public static final String PROCSYS_TYPE = "fuse.procsys";

    private Mounts() {}

    /** The type of the filesystem mounted exactly at {@code mountpoint}, if one is (the topmost). */
    public static Optional<String> typeAt(Path mountpoint) {
        String target = mountpoint.toAbsolutePath().normalize().toString();
        String found = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // id parent major:minor root mountpoint options [optional...] - fstype source superopts
                String[] fields = line.split(" ");
                if (fields.length < 10 || !unescape(fields[4]).equals(target)) continue;
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                found = line.substring(dash + 3).split(" ")[0];
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(found);
    }

    public static boolean isMountPoint(Path path) {
        return typeAt(path).isPresent();
    }

    public static boolean isProcsysMount(Path path) {
        return typeAt(path).map(PROCSYS_TYPE::equals).orElse(false);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Unmounts a FUSE mount with fusermount3 (as the FUSE tools do), falling back to umount(8)
     * for root. Returns null on success or the tools' message.
     */
    public static String unmount(Path mountpoint) {
        String first = run("fusermount3", "-u", mountpoint.toString());
        if (first == null) return null;
        if (ProcessHandle.current().info().user().map("root"::equals).orElse(false)) {
            String second = run("umount", mountpoint.toString());
            if (second == null) return null;
        }
        return first;
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? null : (output.isEmpty() ? command[0] + " failed" : output);
        } catch (IOException e) {
            return command[0] + " not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
