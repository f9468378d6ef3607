package io.procsys.it;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Another local user, as the tests of what such a user reads and does through an allow_other
 * mount run it: setpriv to its uid and gid with no supplementary groups. {@link #NOBODY} is the
 * overflow uid (a service account); {@link #regular()} a user the agents act for.
 */
final class LocalUser {
    static final int NOBODY = 65534;
    static final String REGULAR = "procsys-user";

    private LocalUser() {}

    /** The uid of a regular user made for the tests (1000 or more, as useradd gives one without --system). */
    static synchronized int regular() {
        if (Commands.run("id", "-u", REGULAR).exit() != 0) {
            Commands.Result add = Commands.run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", REGULAR);
            assertEquals(0, add.exit(), add.all());
        }
        int uid = Integer.parseInt(Commands.run("id", "-u", REGULAR).out().strip());
        if (uid < 1000) throw new AssertionError(REGULAR + " has uid " + uid + ": a regular user needs 1000 or more");
        return uid;
    }

    /** {@code command} run as {@code uid} (its group, no other). */
    static Commands.Result run(int uid, String... command) {
        return Commands.run(command(uid, command), 120);
    }

    /** The command line that runs {@code command} as {@code uid}. */
    static List<String> command(int uid, String... command) {
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        out.addAll(List.of(command));
        return out;
    }

    /** `sh -c script` as {@code uid}, its arguments $1... */
    static Commands.Result sh(int uid, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(List.of(args));
        return run(uid, command.toArray(String[]::new));
    }

    /** A python3 script (-I -S: nothing of the environment) as {@code uid}, with arguments. */
    static Commands.Result python(int uid, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-I", "-S", "-c", script));
        command.addAll(List.of(args));
        return run(uid, command.toArray(String[]::new));
    }
}
