package io.procsys.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who runs procsys, found without native calls (so commands that only check stay quick to start). */
public final class Users {
    private Users() {}

    /** The effective uid: the owner of /proc/self; -1 if it cannot be read. */
    public static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Whether the effective user is root: /proc/self belongs to the effective uid. */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
