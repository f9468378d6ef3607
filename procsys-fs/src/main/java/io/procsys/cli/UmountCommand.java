package io.procsys.cli;

import io.procsys.daemon.Mounts;
import io.procsys.daemon.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "umount", description = {"Unmount a procsys mount; its daemon then exits."})
final class UmountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT", description = "Where procsys is mounted.")
    Path mountpoint;

    @Override
    public Integer call() {
        Path target = mountpoint.toAbsolutePath().normalize();
        if (!Mounts.isProcsysMount(target)) {
            throw new UserError(target + " is not a procsys mount"
                    + Mounts.typeAt(target).map(t -> " (it is " + t + ")").orElse(""));
        }
        String failure = Mounts.unmount(target);
        if (failure != null) throw new UserError("could not unmount " + target + ": " + failure);
        return 0;
    }
}
