package io.procsys.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher runs `exec --mount M` itself, without a JVM, where nothing is intercepted (CliIT
 * and SysViewsIT show it does): what it runs inside the new mount namespace must stay the scripts
 * ExecCommand runs, or the two roads would give CMD different worlds.
 */
class LauncherExecTest {
    @Test
    void launcherBindsTheMountAsExecCommandDoes() throws IOException {
        String launcher = Files.readString(Path.of("..", "procsys"));
        assertTrue(launcher.contains("\nbind_and_exec='" + ExecCommand.BIND_AND_EXEC + "'\n"),
                "the launcher's bind_and_exec is ExecCommand.BIND_AND_EXEC: " + ExecCommand.BIND_AND_EXEC);
        assertTrue(launcher.contains("\nbind_sys_views='" + ExecCommand.BIND_SYS_VIEWS + "'\n"),
                "the launcher's bind_sys_views is ExecCommand.BIND_SYS_VIEWS: " + ExecCommand.BIND_SYS_VIEWS);
    }
}
