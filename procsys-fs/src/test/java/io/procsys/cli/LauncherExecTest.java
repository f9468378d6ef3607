package io.procsys.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher runs `exec --mount MIRROR` itself, without a JVM (CliIT shows it does): what it
 * runs inside the new mount namespace must stay the script ExecCommand runs, or the two roads
 * would give CMD different worlds.
 */
class LauncherExecTest {
    @Test
    void launcherBindsTheMirrorAsExecCommandDoes() throws IOException {
        String launcher = Files.readString(Path.of("..", "procsys"));
        String quoted = "'" + ExecCommand.BIND_AND_EXEC + "'";
        assertTrue(launcher.contains("/bin/sh -c " + quoted + " procsys-exec"), "the launcher's exec script is ExecCommand.BIND_AND_EXEC: " + quoted);
    }
}
