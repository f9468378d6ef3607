package io.procsys.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may read a mount: by default only the mounting user; with -o allow_other every user, but
 * only what /proc itself would show them. Checked as a second, unprivileged user made for the test.
 */
class AccessModelIT {
    static final String USER = "procsys-test";
    static int uid;

    @BeforeAll
    static void makeUser() {
        if (Commands.run("id", "-u", USER).exit() != 0) {
            Commands.Result add = Commands.run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER);
            assertEquals(0, add.exit(), add.all());
        }
        uid = Integer.parseInt(Commands.run("id", "-u", USER).out().strip());
        System.out.println("# AccessModelIT: /proc is mounted " + procOptions() + " (with hidepid= the allow_other case fails: procsys does not apply it)");
    }

    /** The options /proc is mounted with: the super options (hidepid=, subset=) of the last mount on /proc. */
    static String procOptions() {
        String options = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f[4].equals("/proc")) options = f[f.length - 1];
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return options;
    }

    /** `sh -c script` as the test user; $1 is the mount. */
    static Commands.Result asUser(Path mount, String script) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "sh", "-c", script, "sh", mount.toString()));
        return Commands.run(command, 60);
    }

    @Test
    void byDefaultOnlyTheMountingUserGetsIn() throws Exception {
        try (TestMount mounted = new TestMount(Path.of("/proc"))) {
            Commands.Result r = asUser(mounted.path, "cat \"$1/meminfo\"");
            assertNotEquals(0, r.exit(), "another user is kept out: " + r.all());
            assertTrue(r.err().contains("Permission denied"), r.err());
        }
    }

    @Test
    void withAllowOtherOtherUsersSeeWhatProcWouldShowThem() throws Exception {
        try (TestMount mounted = new TestMount(Path.of("/proc"), null, List.of("allow_other"))) {
            Path m = mounted.path;
            assertEquals(0, asUser(m, "head -1 \"$1/meminfo\"").exit(), "world-readable files");
            assertEquals(0, asUser(m, "grep -q '^Uid:.*" + uid + "' \"$1/self/status\"").exit(), "self is the user's own process");
            assertEquals(0, asUser(m, "cat \"$1/self/maps\" > /dev/null").exit(), "its own maps");
            Process rootProcess = Commands.sleeper();
            long pid = rootProcess.pid();
            // /proc mounted with hidepid= hides root's processes from this user; the mount does not
            boolean shownByProc = asUser(Path.of("/proc"), "cat \"$1/" + pid + "/stat\" > /dev/null").exit() == 0;
            boolean shownByMount = asUser(m, "cat \"$1/" + pid + "/stat\" > /dev/null").exit() == 0;
            assertEquals(shownByProc, shownByMount, "root's process " + pid + " through /proc (mounted " + procOptions()
                    + ") and through the mount: procsys does not apply hidepid= to the users of an allow_other mount");
            for (String guarded : List.of(pid + "/environ", pid + "/maps", pid + "/stack")) {
                Commands.Result real = asUser(Path.of("/proc"), "cat \"$1/" + guarded + "\" > /dev/null");
                Commands.Result mirrored = asUser(m, "cat \"$1/" + guarded + "\" > /dev/null");
                assertNotEquals(0, real.exit(), "/proc refuses " + guarded);
                assertNotEquals(0, mirrored.exit(), "so does procsys: " + guarded);
                assertTrue(mirrored.err().contains("Permission denied"), mirrored.err());
            }
            assertEquals(0, Commands.run("cat", m + "/" + pid + "/environ").exit(), "root still reads it");
            rootProcess.destroy();
        }
    }
}
