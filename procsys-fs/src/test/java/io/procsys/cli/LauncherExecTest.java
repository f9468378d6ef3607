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

    /** The launcher names a mount's intercept socket and network pin as RunFiles does, with no process, as scripts/run-files.sh does. */
    @Test
    void launcherHashesMountpointsAsRunFilesDoes() throws Exception {
        String launcher = Files.readString(Path.of("..", "procsys"));
        String scripts = Files.readString(Path.of("..", "scripts", "run-files.sh"));
        String function = scripts.substring(scripts.indexOf("procsys_run_hash() {"));
        assertTrue(launcher.contains(function), "the launcher's procsys_run_hash is scripts/run-files.sh's");
        for (String mount : java.util.List.of("/mnt/a_b", "/mnt/a/b", "/", "/tmp/procsys-it-1234567890/" + "x".repeat(120))) {
            Process bash = new ProcessBuilder("bash", "-c", "source ../scripts/run-files.sh; procsys_run_hash \"$1\"; echo $procsys_hash", "sh", mount)
                    .redirectErrorStream(true).start();
            String out = new String(bash.getInputStream().readAllBytes()).strip();
            bash.waitFor();
            org.junit.jupiter.api.Assertions.assertEquals(io.procsys.daemon.RunFiles.hash(Path.of(mount)), out, mount);
        }
        assertTrue(!io.procsys.daemon.RunFiles.hash(Path.of("/mnt/a_b")).equals(io.procsys.daemon.RunFiles.hash(Path.of("/mnt/a/b"))));
    }
}
