package io.procsys.cli;

import io.procsys.daemon.UserError;
import io.procsys.fs.identity.HostIndex;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClusterOptionsTest {
    @Test
    void morePeersThanHostIndicesIsAOneLineUserError() {
        List<String> args = new ArrayList<>(List.of("--insecure"));
        for (int i = 1; i <= HostIndex.MAX + 1; i++) args.addAll(List.of("--peer", "p" + i + "=127.0.0.1:7070"));
        args.add("/mnt/nowhere");
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs(args.toArray(String[]::new));
        UserError e = assertThrows(UserError.class, () -> mount.clusterOptions.cluster());
        assertEquals((HostIndex.MAX + 1) + " peers: a mount combines at most " + HostIndex.MAX + " other hosts", e.getMessage());
        assertEquals(2, e.exitCode());
    }
}
